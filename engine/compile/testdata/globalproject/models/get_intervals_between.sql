select {{ get_intervals_between("cast('2024-01-01' as date)", "cast('2024-03-01' as date)", 'month') }} as at_parse_time,
    {{ get_powers_of_two(1) }} as p1, {{ get_powers_of_two(2) }} as p2, {{ dbt.get_powers_of_two(upper_bound=1000) }} as p1000
