select table_name, table_type from "ANALYTICS".information_schema.tables
where table_catalog = 'ANALYTICS' and table_schema = 'FINHOUSE'
order by table_name
