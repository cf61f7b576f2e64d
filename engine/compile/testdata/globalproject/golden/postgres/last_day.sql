select cast(((date_trunc('month', created_at) + ((interval '1 month') * (1))) + ((interval '1 day') * (-1))) as date) as a,
    cast(((date_trunc('quarter', cast('2024-05-05' as date)) + ((interval '3 month') * (1))) + ((interval '1 day') * (-1))) as date) as b,
    cast(((date_trunc('year', created_at) + ((interval '1 year') * (1))) + ((interval '1 day') * (-1))) as date) as c
union all
select cast(((date_trunc('month', created_at) + ((interval '1 month') * (1))) + ((interval '1 day') * (-1))) as date) as a, null as b, null as c