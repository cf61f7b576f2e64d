select table_name, case table_type when 'VIEW' then 'view' when 'MATERIALIZED VIEW' then 'view' when 'EXTERNAL TABLE' then 'external' else 'table' end
from "FINHOUSE".information_schema.tables
where table_catalog = 'FINHOUSE' and table_schema = 'ANALYTICS' and table_name = 'FCT_LOANS'
