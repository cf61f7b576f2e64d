create or replace view "ANALYTICS"."FINHOUSE"."FCT_LOANS" as (
select * from "ANALYTICS"."FINHOUSE"."STG_LOANS"
)
