alter table "FINHOUSE"."ANALYTICS"."FCT_LOANS" add column "UPDATED" timestamp;
alter table "FINHOUSE"."ANALYTICS"."FCT_LOANS" add column "DBT_IS_DELETED" varchar;
update "FINHOUSE"."ANALYTICS"."FCT_LOANS" set "DBT_IS_DELETED" = 'False';
insert into "FINHOUSE"."ANALYTICS"."FCT_LOANS" ("ID", "NAME", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO", "DBT_IS_DELETED")
select strata_snap."ID", strata_snap."NAME", md5(strata_snap."DBT_SCD_ID" || '|deleted'), cast('2026-01-01 02:00:00' as timestamp_ntz), cast('2026-01-01 02:00:00' as timestamp_ntz), cast(null as timestamp_ntz), 'True'
from "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap
where strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_IS_DELETED" = 'False' and not exists (select 1 from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source where strata_source."ID" = strata_snap."ID");
update "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = cast('2026-01-01 02:00:00' as timestamp_ntz)
where strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_IS_DELETED" = 'False' and not exists (select 1 from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source where strata_source."ID" = strata_snap."ID");
update "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = case when strata_snap."DBT_IS_DELETED" = 'True' then cast('2026-01-01 02:00:00' as timestamp_ntz) else cast('2026-01-01 02:00:00' as timestamp_ntz) end
from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where strata_source."ID" = strata_snap."ID" and strata_snap."DBT_VALID_TO" is null and (strata_snap."DBT_IS_DELETED" = 'True' or (strata_snap."ID" is distinct from strata_source."ID" or strata_snap."NAME" is distinct from strata_source."NAME" or strata_snap."UPDATED" is distinct from strata_source."UPDATED"));
insert into "FINHOUSE"."ANALYTICS"."FCT_LOANS" ("ID", "NAME", "UPDATED", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO", "DBT_IS_DELETED")
select strata_source."ID", strata_source."NAME", strata_source."UPDATED", md5(coalesce(cast(strata_source."ID" as varchar), '') || '|' || coalesce(cast(cast('2026-01-01 02:00:00' as timestamp_ntz) as varchar), '')), cast('2026-01-01 02:00:00' as timestamp_ntz), cast('2026-01-01 02:00:00' as timestamp_ntz), nullif(cast('2026-01-01 02:00:00' as timestamp_ntz), cast('2026-01-01 02:00:00' as timestamp_ntz)), 'False'
from "FINHOUSE"."ANALYTICS"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where not exists (select 1 from "FINHOUSE"."ANALYTICS"."FCT_LOANS" as strata_snap where strata_source."ID" = strata_snap."ID" and strata_snap."DBT_VALID_TO" is null)
