with recursive deps(oid, depth) as (
  select r.ev_class, 1
  from pg_catalog.pg_depend d
  join pg_catalog.pg_rewrite r on r.oid = d.objid
  where d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
    and d.refobjid = to_regclass('"finhouse"."analytics"."fct_Loans"') and r.ev_class <> d.refobjid
  union
  select r.ev_class, deps.depth + 1
  from deps
  join pg_catalog.pg_depend d on d.refobjid = deps.oid and d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
  join pg_catalog.pg_rewrite r on r.oid = d.objid
  where r.ev_class <> deps.oid
)
select n.nspname::text, c.relname::text,
  format('create %s %I.%I as %s', case c.relkind when 'm' then 'materialized view' else 'view' end, n.nspname, c.relname,
    rtrim(pg_catalog.pg_get_viewdef(c.oid), ';'))
from (select oid, max(depth) as depth from deps group by oid) x
join pg_catalog.pg_class c on c.oid = x.oid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
order by x.depth, n.nspname, c.relname
