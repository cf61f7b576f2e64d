with all_values as (
    select
        status as value_field,
        count(*) as n_records
    from payments
    group by status
)
select *
from all_values
where value_field not in (
    'paid','it''s','back\slash','10'
)