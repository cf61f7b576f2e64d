select {{ last_day('created_at', 'month') }} as a,
    {{ dbt.last_day(date="cast('2024-05-05' as date)", datepart='quarter') }} as b,
    {{ last_day('created_at', 'year') }} as c
union all
select {{ dbt.default_last_day('created_at', 'month') }} as a, null as b, null as c
