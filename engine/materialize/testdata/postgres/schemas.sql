select nspname::text from pg_catalog.pg_namespace
