with rawdata as (
    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (
        select
            p0.generated_number * power(2, 0) +
            1 as generated_number
        from
            p as p0
    )
    select *
    from unioned
    where generated_number <= 1
    order by generated_number
),

all_periods as (
    select (
        dateadd(month, row_number() over (order by generated_number) - 1, cast('2023-01-15' as date))
    ) as date_month
    from rawdata
),

filtered as (
    select *
    from all_periods
    where date_month <= cast('2024-01-01' as date)
)

select * from filtered