select {{ cast("'1'", type_int()) }} as a,
    {{ dbt.cast(field='shape_wkt', type='geography') }} as b
