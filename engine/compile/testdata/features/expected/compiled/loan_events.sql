

select loan_id, opened_at as event_at from "db"."analytics"."loans"
