create temporary table "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as (
select * from stg_loans; -- trailing comment
)
