
select loan_id, status from "db"."analytics"."stg_loans"