create table "FINHOUSE"."ANALYTICS"."FCT_LOANS" as (
select strata_source."ID", strata_source."NAME", strata_source."UPDATED",
  md5(coalesce(cast(strata_source."ID" as varchar), '') || '|' || coalesce(cast(strata_source."UPDATED" as varchar), '')) as "DBT_SCD_ID",
  strata_source."UPDATED" as "DBT_UPDATED_AT",
  strata_source."UPDATED" as "DBT_VALID_FROM",
  nullif(strata_source."UPDATED", strata_source."UPDATED") as "DBT_VALID_TO"
from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
)
