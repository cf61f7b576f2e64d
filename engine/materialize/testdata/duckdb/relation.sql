select table_name, 'table' from duckdb_tables() where lower(database_name) = lower('finhouse') and lower(schema_name) = lower('analytics') and lower(table_name) = lower('fct_Loans')
union all
select view_name, 'view' from duckdb_views() where not internal and lower(database_name) = lower('finhouse') and lower(schema_name) = lower('analytics') and lower(view_name) = lower('fct_Loans')
