create or replace table "FINHOUSE"."ANALYTICS"."FCT_LOANS" as (
select * from stg_loans; -- trailing comment
)
