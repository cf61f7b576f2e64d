select '{{ generate_schema_name() }}' as schema_default,
    '{{ generate_schema_name('marts') }}' as schema_custom,
    '{{ dbt.generate_schema_name(custom_schema_name=' staging ', node=none) }}' as schema_trimmed,
    '{{ generate_schema_name_for_env('marts', none) }}' as schema_for_env,
    '{{ generate_database_name() }}' as database_default,
    '{{ generate_database_name('other_db') }}' as database_custom,
    '{{ generate_alias_name(none, {'name': 'orders'}) }}' as alias_default,
    '{{ generate_alias_name('orders_v', {'name': 'orders'}) }}' as alias_custom,
    '{{ dbt.generate_alias_name(node={'name': 'orders', 'version': 2}) }}' as alias_versioned
