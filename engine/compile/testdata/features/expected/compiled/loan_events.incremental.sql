

select loan_id, opened_at as event_at from "db"."analytics"."loans"

where opened_at > (select max(event_at) from "db"."analytics"."loan_events") -- analytics
