{{ config(
    materialized='incremental',
    unique_key='transaction_id',
    incremental_strategy='delete+insert',
    tags=['hourly']
) }}
-- One row per transaction to settle, in paise, with its settlement state. Hourly runs
-- replace (delete+insert) the transactions that received change records since the last
-- run. A transaction deleted at the source stays as a tombstone (is_deleted), so the
-- delete reaches this table; analyses filter `not is_deleted`.
with changes as (
    select
        transaction_id,
        max(kafka_offset) as last_kafka_offset
    from {{ ref('base_pg_settlement_cdc') }}
    group by transaction_id
),

changed as (
    select *
    from changes
    {% if is_incremental() %}
    where last_kafka_offset > (select max(last_kafka_offset) from {{ this }})
    {% endif %}
)

select
    c.transaction_id,
    e.transaction_id is null as is_deleted,
    e.merchant_id,
    e.payment_mode,
    e.transaction_date,
    e.created_at,
    {{ month_start('e.transaction_date') }} as transaction_month,
    e.amount_paise,
    e.payment_status,
    e.is_settled,
    e.batch_id,
    e.settled_at,
    e.settlement_state,
    e.settlement_due_date,
    e.is_past_settlement_cycle,
    e.rolling_reserve_paise,
    e.amount_paise - e.rolling_reserve_paise as net_payable_paise,
    e.last_changed_at,
    c.last_kafka_offset
from changed as c
left join {{ ref('int_settlements_enriched') }} as e
    on c.transaction_id = e.transaction_id
