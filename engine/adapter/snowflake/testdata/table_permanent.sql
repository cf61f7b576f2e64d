create or replace table "ANALYTICS"."FINHOUSE"."FCT_LOANS" as (
select * from "ANALYTICS"."FINHOUSE"."STG_LOANS"
)
