select (cast('2024-01-31' as date) + cast(1 as bigint) * interval 1 day) as a,
    (created_at + cast(-2 as bigint) * interval 1 month) as b,
    (created_at + (cast(1 as bigint) * 3) * interval 1 month) as c,
    (created_at + (cast(n_weeks as bigint) * 7) * interval 1 day) as d,
    (created_at + cast(-3 as bigint) * interval 1 hour) as e