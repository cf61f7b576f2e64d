with rawdata as (
    select generate_series as generated_number
    from generate_series(1, 1)
),

all_periods as (
    select (
        (cast('2023-01-15' as date) + cast(row_number() over (order by generated_number) - 1 as bigint) * interval 1 month)
    ) as date_month
    from rawdata
),

filtered as (
    select *
    from all_periods
    where date_month <= cast('2024-01-01' as date)
)

select * from filtered