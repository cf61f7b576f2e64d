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
        (cast('2023-09-01' as date) + ((interval '1 day') * (row_number() over (order by generated_number) - 1)))
    ) as date_day
    from rawdata
),

filtered as (
    select *
    from all_periods
    where date_day <= cast('2023-09-10' as date)
)

select * from filtered