select {{ date(2024, 2, 29) }} as a,
    {{ dbt.date(year=1999, month=12, day=31) }} as b,
    {{ date(2024, 1, 5) }} as c
