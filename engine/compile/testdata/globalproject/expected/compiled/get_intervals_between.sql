select 1 as at_parse_time,
    1 as p1, 1 as p2, 10 as p1000