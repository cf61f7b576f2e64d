select column_name, data_type from duckdb_columns()
where lower(database_name) = lower('temp') and lower(schema_name) = lower('main') and lower(table_name) = lower('fct_Loans__strata_tmp_0a1b2c3d')
order by column_index
