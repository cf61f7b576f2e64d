select * from payments where {{ equals('a', 'b') }} and {{ dbt.equals(expr1='c', expr2="'x'") }}
