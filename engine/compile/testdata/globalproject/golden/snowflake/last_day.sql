select cast(dateadd(day, -1, dateadd(month, 1, date_trunc('month', created_at))) as date) as a,
    cast(dateadd(day, -1, dateadd(quarter, 1, date_trunc('quarter', cast('2024-05-05' as date)))) as date) as b,
    cast(dateadd(day, -1, dateadd(year, 1, date_trunc('year', created_at))) as date) as c
union all
select cast(dateadd(day, -1, dateadd(month, 1, date_trunc('month', created_at))) as date) as a, null as b, null as c