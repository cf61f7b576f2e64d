
with __dbt__cte__raw_loans as (

select 1 as loan_id, 100 as amount, current_date as opened_at
),  __dbt__cte__clean_loans as (

with base as (
    select * from __dbt__cte__raw_loans
)
select * from base where amount > 0
), a as (
    select * from __dbt__cte__clean_loans
), b as (
    select * from __dbt__cte__raw_loans
)
select a.* from a join b using (loan_id)