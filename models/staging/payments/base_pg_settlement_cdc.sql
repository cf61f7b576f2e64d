-- depends_on: {{ ref('pg_transactions_to_settle_cdc') }}
{{ config(materialized='ephemeral') }}
-- The Debezium envelope unpacked: one row per change record. A delete carries the row in
-- `before` and nothing in `after`, so the key comes from whichever side is present.
select
    cast(kafka_offset as bigint) as kafka_offset,
    op,
    cast(ts_ms as bigint) as ts_ms,
    {{ epoch_ms_to_timestamp('ts_ms') }} as changed_at,
    cast(ingested_at as timestamp) as ingested_at,
    op = 'd' as is_delete,
    coalesce({{ json_text('after', 'txn_id') }}, {{ json_text('before', 'txn_id') }}) as transaction_id,
    {{ json_text('after', 'merchant_code') }} as merchant_id,
    {{ to_paise(json_text('after', 'amount')) }} as amount_paise,
    {{ json_text('after', 'payment_mode') }} as payment_mode,
    cast({{ json_text('after', 'txn_date') }} as date) as transaction_date,
    {{ json_text('after', 'is_settled') }} = '1' as is_settled,
    {{ json_text('after', 'status') }} as payment_status
from {{ source('payments', 'pg_transactions_to_settle_cdc') }}
