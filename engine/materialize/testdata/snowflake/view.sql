create or replace view "FINHOUSE"."ANALYTICS"."FCT_LOANS" as (
select * from stg_loans; -- trailing comment
)
