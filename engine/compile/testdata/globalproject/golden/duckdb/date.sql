select make_date(2024, 2, 29) as a,
    make_date(1999, 12, 31) as b,
    make_date(2024, 1, 5) as c