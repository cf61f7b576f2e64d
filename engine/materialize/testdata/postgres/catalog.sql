select n.nspname::text, c.relname::text,
  case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' when 'f' then 'FOREIGN TABLE' else 'BASE TABLE' end,
  pg_catalog.pg_get_userbyid(c.relowner)::text, pg_catalog.obj_description(c.oid, 'pg_class'),
  a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnum::int,
  pg_catalog.col_description(c.oid, a.attnum)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = 'analytics' and c.relkind in ('r', 'p', 'v', 'm', 'f')
order by c.relname, a.attnum
