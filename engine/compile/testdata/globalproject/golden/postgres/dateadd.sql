select (cast('2024-01-31' as date) + ((interval '1 day') * (1))) as a,
    (created_at + ((interval '1 month') * (-2))) as b,
    (created_at + ((interval '3 month') * (1))) as c,
    (created_at + ((interval '1 week') * (n_weeks))) as d,
    (created_at + ((interval '1 hour') * (-3))) as e