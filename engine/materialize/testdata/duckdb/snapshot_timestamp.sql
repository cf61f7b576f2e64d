alter table "finhouse"."analytics"."fct_Loans" add column "updated" timestamp;
update "finhouse"."analytics"."fct_Loans" as strata_snap set "dbt_valid_to" = strata_source."updated"
from "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
where strata_source."id" = strata_snap."id" and strata_snap."dbt_valid_to" is null and strata_snap."dbt_valid_from" < strata_source."updated";
insert into "finhouse"."analytics"."fct_Loans" ("id", "name", "updated", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
select strata_source."id", strata_source."name", strata_source."updated", md5(coalesce(cast(strata_source."id" as varchar), '') || '|' || coalesce(cast(strata_source."updated" as varchar), '')), strata_source."updated", strata_source."updated", nullif(strata_source."updated", strata_source."updated")
from "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
where not exists (select 1 from "finhouse"."analytics"."fct_Loans" as strata_snap where strata_source."id" = strata_snap."id" and strata_snap."dbt_valid_to" is null)
