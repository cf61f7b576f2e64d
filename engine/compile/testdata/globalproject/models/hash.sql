select {{ hash('email') }} as a, {{ dbt.hash(field="'abc'") }} as b
