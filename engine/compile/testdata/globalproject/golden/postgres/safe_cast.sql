select cast('abc' as integer) as a,
    cast(123 as TEXT) as b,
    cast(payload as variant) as c,
    cast(shape_wkt as geography) as d