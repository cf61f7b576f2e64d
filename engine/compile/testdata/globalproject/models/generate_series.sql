{{ generate_series(5) }}
