select try_cast('abc' as integer) as a,
    try_cast('123' as TEXT) as b,
    cast(payload as variant) as c,
    try_to_geography(shape_wkt) as d