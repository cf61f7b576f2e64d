create or replace table "finhouse"."finhouse"."fct_Loans" as (
select 1 as id
)
