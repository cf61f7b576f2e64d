with all_values as (
    select
        status as value_field,
        count(*) as n_records
    from "db"."analytics"."stg_loans"
    group by status
)
select *
from all_values
where value_field not in (
    'active','closed'
)
