select {{ concat(['first_name', "' '", 'last_name']) }} as a,
    {{ dbt.concat(fields=["'x'", 'y']) }} as b
