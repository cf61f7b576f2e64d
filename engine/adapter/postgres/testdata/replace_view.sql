create or replace view "finhouse"."analytics"."fct_Loans" as (
select 1 as id -- trailing comment
)
