select date_trunc('month', created_at) as a,
    date_trunc('quarter', cast('2024-02-17' as date)) as b