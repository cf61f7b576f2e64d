-- depends_on: {{ ref('aa_consent_events') }}
-- depends_on: {{ ref('aa_event_types') }}
-- The consent event log, one row per event. Known payload fields are extracted; the raw
-- payload stays alongside, and event types nobody has mapped yet are kept and flagged.
with events as (
    select
        *,
        row_number() over (partition by event_id order by ingested_at) as copy_rank
    from {{ source('account_aggregator', 'aa_consent_events') }}
),

known_types as (
    select event_type, operational_stage, executive_stage
    from {{ source('account_aggregator', 'aa_event_types') }}
)

select
    e.event_id,
    e.consent_handle,
    e.session_id,
    e.txn_id,
    e.event_type,
    k.event_type is not null as is_known_event_type,
    cast(k.operational_stage as integer) as operational_stage,
    cast(k.executive_stage as integer) as executive_stage,
    cast(e.event_at as timestamp) as event_at,
    cast(e.event_at as date) as event_date,
    cast(e.ingested_at as timestamp) as ingested_at,
    {{ json_text('e.payload', 'tsp') }} as tsp,
    {{ json_text('e.payload', 'purpose_code') }} as purpose_code,
    {{ json_text('e.payload', 'fi_type') }} as fi_type,
    {{ json_text('e.payload', 'fiu_license_type') }} as fiu_license_type,
    {{ json_text('e.payload', 'journey_type') }} as journey_type,
    {{ json_text('e.payload', 'user_type') }} as user_type,
    {{ json_text('e.payload', 'fip_id') }} as fip_id,
    {{ json_text('e.payload', 'status') }} as fi_status,
    cast({{ json_text('e.payload', 'latency_ms') }} as integer) as latency_ms,
    {{ json_text('e.payload', 'error_code') }} as error_code,
    e.payload
from events as e
left join known_types as k
    on e.event_type = k.event_type
where e.copy_rank = 1
