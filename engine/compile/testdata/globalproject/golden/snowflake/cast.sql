select cast('1' as integer) as a,
    to_geography(shape_wkt) as b