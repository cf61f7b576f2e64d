select {{ length('name') }} as a, {{ dbt.length(expression="'abc'") }} as b
