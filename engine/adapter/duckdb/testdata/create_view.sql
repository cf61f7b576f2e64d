create or replace view "finhouse"."finhouse"."fct_Loans" as (
select 1 as id
)
