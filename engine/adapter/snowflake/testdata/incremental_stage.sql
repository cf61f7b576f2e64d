create or replace temporary table "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as (
select * from "ANALYTICS"."FINHOUSE"."STG_LOANS"
)
