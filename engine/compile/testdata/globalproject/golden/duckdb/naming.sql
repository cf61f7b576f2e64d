select 'analytics' as schema_default,
    'analytics_marts' as schema_custom,
    'analytics_staging' as schema_trimmed,
    'analytics' as schema_for_env,
    'db' as database_default,
    'other_db' as database_custom,
    'orders' as alias_default,
    'orders_v' as alias_custom,
    'orders_v2' as alias_versioned