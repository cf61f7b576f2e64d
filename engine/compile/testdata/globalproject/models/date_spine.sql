{{ date_spine('day', "cast('2023-09-01' as date)", "cast('2023-09-10' as date)") }}
