-- depends_on: {{ ref('pg_settlement_batches') }}
-- Settlement batches, one row per settled transaction (the first batch wins if a
-- transaction were ever paid twice).
with ranked as (
    select
        *,
        row_number() over (partition by transaction_id order by settled_at, batch_id) as batch_rank
    from {{ source('payments', 'pg_settlement_batches') }}
)

select
    batch_id,
    transaction_id,
    cast(settled_at as timestamp) as settled_at,
    bank_reference
from ranked
where batch_rank = 1
