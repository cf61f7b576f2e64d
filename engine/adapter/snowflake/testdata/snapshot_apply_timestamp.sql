update "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = strata_source."UPDATED_AT"
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_VALID_FROM" < strata_source."UPDATED_AT";
insert into "ANALYTICS"."FINHOUSE"."FCT_LOANS" ("LOAN_ID", "Order", "AMOUNT", "UPDATED_AT", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO")
select strata_source."LOAN_ID", strata_source."Order", strata_source."AMOUNT", strata_source."UPDATED_AT", md5(coalesce(cast(strata_source."LOAN_ID" as varchar), '') || '|' || coalesce(cast(strata_source."UPDATED_AT" as varchar), '')), strata_source."UPDATED_AT", strata_source."UPDATED_AT", nullif(strata_source."UPDATED_AT", strata_source."UPDATED_AT")
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where not exists (select 1 from "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_snap."DBT_VALID_TO" is null)
