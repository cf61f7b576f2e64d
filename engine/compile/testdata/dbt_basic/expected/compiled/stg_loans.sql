
select
    id as loan_id,
    user_id,
    round(amount_cents / 100.0, 2) as amount,
    status
from "db"."analytics_raw"."loans"
where amount_cents >= 100