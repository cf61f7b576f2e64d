select c.relname::text, case c.relkind when 'v' then 'view' when 'm' then 'view' when 'f' then 'external' else 'table' end
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'analytics' and c.relkind in ('r', 'p', 'v', 'm', 'f') and c.relname = 'fct_Loans'
