with __dbt__cte__int_loan_status as (

select loan_id, status from "db"."analytics"."stg_loans"
)select
    user_id,
    sum(case when status = 'active' then 1 else 0 end) as n_active,
    sum(case when status = 'closed' then 1 else 0 end) as n_closed
from "db"."analytics"."stg_loans" l
join __dbt__cte__int_loan_status s using (loan_id)
group by 1