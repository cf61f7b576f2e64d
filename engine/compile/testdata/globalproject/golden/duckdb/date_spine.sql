with rawdata as (
    select generate_series as generated_number
    from generate_series(1, 1)
),

all_periods as (
    select (
        (cast('2023-09-01' as date) + cast(row_number() over (order by generated_number) - 1 as bigint) * interval 1 day)
    ) as date_day
    from rawdata
),

filtered as (
    select *
    from all_periods
    where date_day <= cast('2023-09-10' as date)
)

select * from filtered