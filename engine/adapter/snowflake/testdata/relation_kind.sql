select table_type from "ANALYTICS".information_schema.tables
where table_catalog = 'ANALYTICS' and table_schema = 'FINHOUSE' and table_name = 'FCT_LOANS'
