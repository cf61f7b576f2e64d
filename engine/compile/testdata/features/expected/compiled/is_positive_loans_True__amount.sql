select * from "db"."analytics"."loans"
where amount < 0
