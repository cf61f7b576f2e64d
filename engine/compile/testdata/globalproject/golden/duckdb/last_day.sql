select cast(((date_trunc('month', created_at) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date) as a,
    cast(((date_trunc('quarter', cast('2024-05-05' as date)) + (cast(1 as bigint) * 3) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date) as b,
    cast(((date_trunc('year', created_at) + cast(1 as bigint) * interval 1 year) + cast(-1 as bigint) * interval 1 day) as date) as c
union all
select cast(((date_trunc('month', created_at) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date) as a, null as b, null as c