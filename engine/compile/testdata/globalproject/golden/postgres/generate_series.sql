with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
        p0.generated_number * power(2, 0) +
        p1.generated_number * power(2, 1) +
        p2.generated_number * power(2, 2) +
        1 as generated_number
    from
        p as p0 cross join
        p as p1 cross join
        p as p2
)
select *
from unioned
where generated_number <= 5
order by generated_number