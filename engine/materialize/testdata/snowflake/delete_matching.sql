delete from "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_target
where exists (select 1 from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source where strata_source."LOAN_ID" = strata_target."LOAN_ID" and strata_source."Order" = strata_target."Order")
