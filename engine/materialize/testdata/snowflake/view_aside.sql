create view "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_99999999" as (
select * from stg_loans; -- trailing comment
)
