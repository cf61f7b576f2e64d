-- The current state of each transaction to settle: the change record with the highest
-- ts_ms wins (records arrive late and out of order, so arrival order is not enough), and a
-- transaction whose latest record is a delete is gone.
with ranked as (
    select
        *,
        row_number() over (partition by transaction_id order by ts_ms desc, kafka_offset desc) as change_rank,
        min(changed_at) over (partition by transaction_id) as created_at
    from {{ ref('base_pg_settlement_cdc') }}
)

select
    transaction_id,
    merchant_id,
    amount_paise,
    payment_mode,
    transaction_date,
    created_at,
    is_settled,
    payment_status,
    changed_at as last_changed_at,
    ts_ms as last_ts_ms,
    kafka_offset as last_kafka_offset
from ranked
where change_rank = 1
    and not is_delete
