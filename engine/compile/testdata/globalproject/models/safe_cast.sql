select {{ safe_cast("'abc'", type_int()) }} as a,
    {{ safe_cast(123, type_string()) }} as b,
    {{ dbt.safe_cast(field='payload', type='variant') }} as c,
    {{ safe_cast('shape_wkt', 'geography') }} as d
