alter table "ANALYTICS"."FINHOUSE"."FCT_LOANS" add column "AMOUNT" NUMBER(18,2);
alter table "ANALYTICS"."FINHOUSE"."FCT_LOANS" add column "DBT_IS_DELETED" varchar;
update "ANALYTICS"."FINHOUSE"."FCT_LOANS" set "DBT_IS_DELETED" = 'False';
insert into "ANALYTICS"."FINHOUSE"."FCT_LOANS" ("LOAN_ID", "Order", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO", "DBT_IS_DELETED")
select strata_snap."LOAN_ID", strata_snap."Order", md5(strata_snap."DBT_SCD_ID" || '|deleted'), cast(localtimestamp as timestamp_ntz), cast(localtimestamp as timestamp_ntz), cast(null as timestamp), 'True'
from "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap
where strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_IS_DELETED" = 'False' and not exists (select 1 from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_source."Order" = strata_snap."Order");
update "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = cast(localtimestamp as timestamp_ntz)
where strata_snap."DBT_VALID_TO" is null and strata_snap."DBT_IS_DELETED" = 'False' and not exists (select 1 from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_source."Order" = strata_snap."Order");
update "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap set "DBT_VALID_TO" = case when strata_snap."DBT_IS_DELETED" = 'True' then cast(localtimestamp as timestamp_ntz) else cast(localtimestamp as timestamp_ntz) end
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_source."Order" = strata_snap."Order" and strata_snap."DBT_VALID_TO" is null and (strata_snap."DBT_IS_DELETED" = 'True' or (strata_snap."LOAN_ID" is distinct from strata_source."LOAN_ID" or strata_snap."Order" is distinct from strata_source."Order" or strata_snap."AMOUNT" is distinct from strata_source."AMOUNT"));
insert into "ANALYTICS"."FINHOUSE"."FCT_LOANS" ("LOAN_ID", "Order", "AMOUNT", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO", "DBT_IS_DELETED")
select strata_source."LOAN_ID", strata_source."Order", strata_source."AMOUNT", md5(coalesce(cast(strata_source."LOAN_ID" as varchar), '') || '|' || coalesce(cast(strata_source."Order" as varchar), '') || '|' || coalesce(cast(cast(localtimestamp as timestamp_ntz) as varchar), '')), cast(localtimestamp as timestamp_ntz), cast(localtimestamp as timestamp_ntz), nullif(cast(localtimestamp as timestamp_ntz), cast(localtimestamp as timestamp_ntz)), 'False'
from "ANALYTICS"."FINHOUSE"."FCT_LOANS__STRATA_TMP_0A1B2C3D" as strata_source
where not exists (select 1 from "ANALYTICS"."FINHOUSE"."FCT_LOANS" as strata_snap where strata_source."LOAN_ID" = strata_snap."LOAN_ID" and strata_source."Order" = strata_snap."Order" and strata_snap."DBT_VALID_TO" is null)
