select loan_id
from "db"."analytics"."stg_loans"
where loan_id is null
