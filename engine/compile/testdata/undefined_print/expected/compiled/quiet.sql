
select
    'none' as a,
    'd' as b,
    'g' as c,
    'v' as d,
    '' as e
from "db"."analytics"."customers"
where region = ''