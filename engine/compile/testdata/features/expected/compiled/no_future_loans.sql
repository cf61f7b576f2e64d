
select * from "db"."analytics"."loans" where opened_at > current_date