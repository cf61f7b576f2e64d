select table_name, 'table' from duckdb_tables() where lower(database_name) = lower('finhouse') and lower(schema_name) = lower('analytics')
union all
select view_name, 'view' from duckdb_views() where not internal and lower(database_name) = lower('finhouse') and lower(schema_name) = lower('analytics')
