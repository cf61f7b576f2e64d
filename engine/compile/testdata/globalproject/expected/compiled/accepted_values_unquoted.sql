with all_values as (
    select
        amount as value_field,
        count(*) as n_records
    from payments
    group by amount
)
select *
from all_values
where value_field not in (
    10,20
)