create table "finhouse"."analytics"."fct_Loans" as (
select strata_source."id", strata_source."name", strata_source."updated",
  md5(coalesce(cast(strata_source."id" as varchar), '') || '|' || coalesce(cast(strata_source."updated" as varchar), '')) as "dbt_scd_id",
  strata_source."updated" as "dbt_updated_at",
  strata_source."updated" as "dbt_valid_from",
  nullif(strata_source."updated", strata_source."updated") as "dbt_valid_to"
from "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
)
