select try_cast('abc' as integer) as a,
    try_cast(123 as TEXT) as b,
    try_cast(payload as variant) as c,
    try_cast(shape_wkt as geography) as d