merge into "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_target
using "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
on (strata_source."LOAN_ID" = strata_target."LOAN_ID" and strata_source."Order" = strata_target."Order")
when matched then update set "AMOUNT" = strata_source."AMOUNT"
when not matched then insert ("LOAN_ID", "Order", "AMOUNT") values (strata_source."LOAN_ID", strata_source."Order", strata_source."AMOUNT")
