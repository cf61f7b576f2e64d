select {{ dateadd('day', 1, "cast('2024-01-31' as date)") }} as a,
    {{ dbt.dateadd(datepart='month', interval=-2, from_date_or_timestamp='created_at') }} as b,
    {{ dateadd('quarter', 1, 'created_at') }} as c,
    {{ dateadd('week', 'n_weeks', 'created_at') }} as d,
    {{ dateadd('hour', '-3', 'created_at') }} as e
