create or replace transient table "FINHOUSE"."ANALYTICS"."FCT_LOANS" as (
select * from stg_loans; -- trailing comment
)
