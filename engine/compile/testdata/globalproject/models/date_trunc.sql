select {{ date_trunc('month', 'created_at') }} as a,
    {{ dbt.date_trunc(datepart='quarter', date="cast('2024-02-17' as date)") }} as b
