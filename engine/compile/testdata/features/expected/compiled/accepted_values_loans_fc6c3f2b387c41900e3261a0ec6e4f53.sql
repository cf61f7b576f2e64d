with all_values as (
    select
        a_very_long_column_name_that_goes_on_and_on as value_field,
        count(*) as n_records
    from "db"."analytics"."loans"
    group by a_very_long_column_name_that_goes_on_and_on
)
select *
from all_values
where value_field not in (
    'one_long_value','another_long_value','and_a_third_one'
)
