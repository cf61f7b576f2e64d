alter table "FINHOUSE"."ANALYTICS"."FCT_LOANS" add column "UPDATED" timestamp;
update "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = strata_source."UPDATED"
from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where strata_source."ID" = strata_snap."ID" and strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_VALID_FROM" < strata_source."UPDATED";
insert into "FINHOUSE"."ANALYTICS"."FCT_LOANS" ("ID", "NAME", "UPDATED", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO")
select strata_source."ID", strata_source."NAME", strata_source."UPDATED", md5(coalesce(cast(strata_source."ID" as varchar), '') || '|' || coalesce(cast(strata_source."UPDATED" as varchar), '')), strata_source."UPDATED", strata_source."UPDATED", nullif(strata_source."UPDATED", strata_source."UPDATED")
from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where not exists (select 1 from "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap where strata_source."ID" = strata_snap."ID" and strata_snap."DBT_VALID_TO" is null)
