{{ dbt.generate_series(upper_bound=1) }}
