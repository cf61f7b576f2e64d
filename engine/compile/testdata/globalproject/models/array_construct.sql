select {{ array_construct(['1', '2', '3']) }} as a,
    {{ array_construct() }} as empty_int,
    {{ dbt.array_construct(inputs=[], data_type=type_string()) }} as empty_text,
    {{ array_construct(["'a'", "'b'"], 'varchar') }} as b
