{{ config(severity='warn') }}
-- Successful payments not settled within their merchant's settlement cycle. A warning, not
-- an error: operations chases these, the build goes on.
select
    transaction_id,
    merchant_id,
    transaction_date,
    settlement_due_date,
    settled_at,
    settlement_state
from {{ ref('fct_settlements') }}
where not is_deleted
    and is_past_settlement_cycle
