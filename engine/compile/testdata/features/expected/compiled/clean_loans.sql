
with __dbt__cte__raw_loans as (

select 1 as loan_id, 100 as amount, current_date as opened_at
), base as (
    select * from __dbt__cte__raw_loans
)
select * from base where amount > 0