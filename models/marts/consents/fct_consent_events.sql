{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='merge',
    on_schema_change='append_new_columns',
    tags=['hourly']
) }}
-- Every consent event, loaded hourly. Each run merges what arrived since the last
-- high-water mark (minus a lookback, for events that land late); the merge on event_id
-- makes the overlap harmless.
select
    event_id,
    consent_handle,
    session_id,
    txn_id,
    event_type,
    is_known_event_type,
    operational_stage,
    executive_stage,
    event_at,
    event_date,
    ingested_at,
    fip_id,
    fi_status,
    latency_ms,
    error_code,
    payload
from {{ ref('stg_aa_consent_events') }}
{% if is_incremental() %}
where ingested_at > (
    select max(ingested_at) - interval '{{ var("incremental_lookback_hours") }} hours'
    from {{ this }}
)
{% endif %}
