select {{ right('code', 3) }} as a, {{ dbt.right(string_text='code', length_expression='n') }} as b
