create table "ANALYTICS"."FINHOUSE"."FCT_LOANS" as (
select strata_source."LOAN_ID", strata_source."Order", strata_source."AMOUNT", strata_source."UPDATED_AT",
  md5(coalesce(cast(strata_source."LOAN_ID" as varchar), '') || '|' || coalesce(cast(strata_source."UPDATED_AT" as varchar), '')) as "DBT_SCD_ID",
  strata_source."UPDATED_AT" as "DBT_UPDATED_AT",
  strata_source."UPDATED_AT" as "DBT_VALID_FROM",
  nullif(strata_source."UPDATED_AT", strata_source."UPDATED_AT") as "DBT_VALID_TO"
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
)
