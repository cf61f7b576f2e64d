

select *
from "db"."analytics"."raw_customers"
where name = ''
  and region = ''
limit 