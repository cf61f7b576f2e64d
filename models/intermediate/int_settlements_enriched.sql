{{ config(materialized='view') }}
-- Each current transaction to settle with its merchant's terms and its batch, and the
-- settlement state: SETTLED (in a batch), RECONCILED (successful, not batched yet) or
-- PENDING. A view, so the hourly incremental mart always reads the latest CDC state.
select
    t.transaction_id,
    t.merchant_id,
    m.merchant_name,
    m.category as merchant_category,
    t.payment_mode,
    t.transaction_date,
    t.created_at,
    t.amount_paise,
    t.payment_status,
    t.is_settled,
    b.batch_id,
    b.settled_at,
    case
        when b.batch_id is not null then 'SETTLED'
        when t.payment_status = 'SUCCESS' then 'RECONCILED'
        else 'PENDING'
    end as settlement_state,
    m.settlement_cycle_days,
    t.transaction_date + m.settlement_cycle_days as settlement_due_date,
    case
        when t.payment_status <> 'SUCCESS' then false
        when b.batch_id is not null then cast(b.settled_at as date) > t.transaction_date + m.settlement_cycle_days
        else {{ as_of_date() }} > t.transaction_date + m.settlement_cycle_days
    end as is_past_settlement_cycle,
    cast(round(t.amount_paise * m.rolling_reserve_pct / 100) as bigint) as rolling_reserve_paise,
    t.last_changed_at,
    t.last_ts_ms,
    t.last_kafka_offset
from {{ ref('stg_pg_settlement_transactions') }} as t
left join {{ ref('stg_pg_merchants') }} as m
    on t.merchant_id = m.merchant_id
left join {{ ref('stg_pg_settlement_batches') }} as b
    on t.transaction_id = b.transaction_id
