select schema_name from "FINHOUSE".information_schema.schemata where catalog_name = 'FINHOUSE'
