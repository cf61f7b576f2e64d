select schema_name from duckdb_schemas() where lower(database_name) = lower('finhouse')
