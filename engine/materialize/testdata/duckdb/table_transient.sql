create or replace table "finhouse"."analytics"."fct_Loans" as (
select * from stg_loans; -- trailing comment
)
