select cast('1' as integer) as a,
    cast(shape_wkt as geography) as b