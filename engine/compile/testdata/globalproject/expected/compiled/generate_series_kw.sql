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