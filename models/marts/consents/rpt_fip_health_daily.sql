-- FIP health per day: FI data requests sent to each FIP, how many it answered with data or
-- a failure, its success rate and its response latency (from the request to the answer).
with answers as (
    select
        txn_id,
        fip_id,
        event_type,
        latency_ms,
        row_number() over (partition by txn_id order by event_at, event_id) as answer_rank
    from {{ ref('fct_consent_events') }}
    where event_type in ('FI_DATA_DELIVERED', 'FI_DATA_FAILED')
),

requests as (
    select
        r.event_date as request_date,
        r.fip_id,
        r.txn_id,
        a.event_type as answer_type,
        a.latency_ms
    from {{ ref('fct_consent_events') }} as r
    left join answers as a
        on r.txn_id = a.txn_id
        and a.answer_rank = 1
    where r.event_type = 'FI_REQUEST_SENT'
)

select
    {{ surrogate_key(['request_date', 'fip_id']) }} as fip_day_id,
    request_date,
    fip_id,
    cast(count(*) as integer) as fi_requests,
    cast(sum(case when answer_type = 'FI_DATA_DELIVERED' then 1 else 0 end) as integer) as successes,
    cast(sum(case when answer_type = 'FI_DATA_FAILED' then 1 else 0 end) as integer) as failures,
    cast(sum(case when answer_type is null then 1 else 0 end) as integer) as unanswered,
    {{ safe_ratio("sum(case when answer_type = 'FI_DATA_DELIVERED' then 1 else 0 end)", 'count(*)') }} as success_rate,
    cast(avg(latency_ms) as numeric(18, 1)) as avg_latency_ms,
    cast(percentile_cont(0.95) within group (order by latency_ms) as numeric(18, 1)) as p95_latency_ms,
    max(latency_ms) as max_latency_ms
from requests
group by request_date, fip_id
