create or replace transient table "ANALYTICS"."FINHOUSE"."FCT_LOANS" as (
select * from "ANALYTICS"."FINHOUSE"."STG_LOANS"
)
