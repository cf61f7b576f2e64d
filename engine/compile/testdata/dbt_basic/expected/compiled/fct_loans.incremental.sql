
select * from "db"."analytics"."stg_loans"

where loan_id > (select max(loan_id) from "db"."analytics_marts"."fct_loans")
