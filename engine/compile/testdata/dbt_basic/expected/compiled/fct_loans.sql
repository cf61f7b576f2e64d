
select * from "db"."analytics"."stg_loans"
