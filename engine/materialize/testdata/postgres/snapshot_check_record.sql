alter table "finhouse"."analytics"."fct_Loans" add column "updated" timestamp;
alter table "finhouse"."analytics"."fct_Loans" add column "dbt_is_deleted" text;
update "finhouse"."analytics"."fct_Loans" set "dbt_is_deleted" = 'False';
insert into "finhouse"."analytics"."fct_Loans" ("id", "name", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
select strata_snap."id", strata_snap."name", md5(strata_snap."dbt_scd_id" || '|deleted'), cast('2026-01-01 02:00:00' as timestamp), cast('2026-01-01 02:00:00' as timestamp), cast(null as timestamp), 'True'
from "finhouse"."analytics"."fct_Loans" as strata_snap
where strata_snap."dbt_valid_to" is null and strata_snap."dbt_is_deleted" = 'False' and not exists (select 1 from "pg_temp"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source where strata_source."id" = strata_snap."id");
update "finhouse"."analytics"."fct_Loans" as strata_snap set "dbt_valid_to" = cast('2026-01-01 02:00:00' as timestamp)
where strata_snap."dbt_valid_to" is null and strata_snap."dbt_is_deleted" = 'False' and not exists (select 1 from "pg_temp"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source where strata_source."id" = strata_snap."id");
update "finhouse"."analytics"."fct_Loans" as strata_snap set "dbt_valid_to" = case when strata_snap."dbt_is_deleted" = 'True' then cast('2026-01-01 02:00:00' as timestamp) else cast('2026-01-01 02:00:00' as timestamp) end
from "pg_temp"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
where strata_source."id" = strata_snap."id" and strata_snap."dbt_valid_to" is null and (strata_snap."dbt_is_deleted" = 'True' or (strata_snap."id" is distinct from strata_source."id" or strata_snap."name" is distinct from strata_source."name" or strata_snap."updated" is distinct from strata_source."updated"));
insert into "finhouse"."analytics"."fct_Loans" ("id", "name", "updated", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
select strata_source."id", strata_source."name", strata_source."updated", md5(coalesce(cast(strata_source."id" as text), '') || '|' || coalesce(cast(cast('2026-01-01 02:00:00' as timestamp) as text), '')), cast('2026-01-01 02:00:00' as timestamp), cast('2026-01-01 02:00:00' as timestamp), nullif(cast('2026-01-01 02:00:00' as timestamp), cast('2026-01-01 02:00:00' as timestamp)), 'False'
from "pg_temp"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
where not exists (select 1 from "finhouse"."analytics"."fct_Loans" as strata_snap where strata_source."id" = strata_snap."id" and strata_snap."dbt_valid_to" is null)
