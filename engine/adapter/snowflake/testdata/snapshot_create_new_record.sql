create table "ANALYTICS"."FINHOUSE"."FCT_LOANS" as (
select strata_source."LOAN_ID", strata_source."Order", strata_source."AMOUNT",
  md5(coalesce(cast(strata_source."LOAN_ID" as varchar), '') || '|' || coalesce(cast(strata_source."Order" as varchar), '') || '|' || coalesce(cast(cast(localtimestamp as timestamp_ntz) as varchar), '')) as "DBT_SCD_ID",
  cast(localtimestamp as timestamp_ntz) as "DBT_UPDATED_AT",
  cast(localtimestamp as timestamp_ntz) as "DBT_VALID_FROM",
  nullif(cast(localtimestamp as timestamp_ntz), cast(localtimestamp as timestamp_ntz)) as "DBT_VALID_TO",
  cast('False' as varchar) as "DBT_IS_DELETED"
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
)
