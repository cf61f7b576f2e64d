select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a
where a.attrelid = to_regclass('"pg_temp"."fct_Loans__strata_tmp_0a1b2c3d"') and a.attnum > 0 and not a.attisdropped
order by a.attnum
