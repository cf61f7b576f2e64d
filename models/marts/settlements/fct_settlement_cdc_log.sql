{{ config(
    materialized='incremental',
    incremental_strategy='append',
    tags=['hourly']
) }}
-- The change log of transactions_to_settle, unpacked, append-only: each hourly run adds the
-- records that arrived (by Kafka offset) since the last one. Kept for audit and replays.
select
    kafka_offset,
    op,
    ts_ms,
    changed_at,
    ingested_at,
    is_delete,
    transaction_id,
    merchant_id,
    amount_paise,
    payment_mode,
    payment_status,
    is_settled
from {{ ref('base_pg_settlement_cdc') }}
{% if is_incremental() %}
where kafka_offset > (select coalesce(max(kafka_offset), -1) from {{ this }})
{% endif %}
