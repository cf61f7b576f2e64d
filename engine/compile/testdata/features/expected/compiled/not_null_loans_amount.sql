select amount
from (select * from "db"."analytics"."loans" where opened_at > '2020-01-01') dbt_subquery
where amount is null
