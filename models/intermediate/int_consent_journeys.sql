{{ config(materialized='view') }}
-- Journey stitching: one row per consent handle, across every session the user opened
-- and every FI request (txn id) that followed. Drill-down dimensions come from the
-- CONSENT_REQUESTED event; stage flags say which funnel stages the handle reached. A view,
-- so the hourly incremental fct_consent_journeys always stitches the latest events.
with events as (
    select *
    from {{ ref('stg_aa_consent_events') }}
),

requested as (
    select
        consent_handle,
        event_at as requested_at,
        tsp,
        purpose_code,
        fi_type,
        fiu_license_type,
        journey_type,
        user_type,
        row_number() over (partition by consent_handle order by event_at, event_id) as request_rank
    from events
    where event_type = 'CONSENT_REQUESTED'
),

rollup as (
    select
        consent_handle,
        count(*) as event_count,
        count(distinct session_id) as session_count,
        count(distinct txn_id) as fi_request_count,
        sum(case when not is_known_event_type then 1 else 0 end) as unknown_event_count,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(ingested_at) as last_ingested_at,
        max(operational_stage) as furthest_operational_stage,
        min(case when event_type = 'CONSENT_APPROVED' then event_at end) as approved_at,
        max(case when operational_stage = 1 then 1 else 0 end) as reached_requested,
        max(case when operational_stage = 2 then 1 else 0 end) as reached_redirected,
        max(case when operational_stage = 3 then 1 else 0 end) as reached_otp_verified,
        max(case when operational_stage = 4 then 1 else 0 end) as reached_accounts_discovered,
        max(case when operational_stage = 5 then 1 else 0 end) as reached_accounts_linked,
        max(case when operational_stage = 6 then 1 else 0 end) as reached_consent_approved,
        max(case when operational_stage = 7 then 1 else 0 end) as reached_fi_request_sent,
        max(case when operational_stage = 8 then 1 else 0 end) as reached_fi_data_delivered,
        max(case when event_type = 'CONSENT_REJECTED' then 1 else 0 end) as was_rejected,
        max(case when event_type = 'CONSENT_REVOKED' then 1 else 0 end) as was_revoked,
        sum(case when event_type = 'FI_DATA_DELIVERED' then 1 else 0 end) as fi_success_count,
        sum(case when event_type = 'FI_DATA_FAILED' then 1 else 0 end) as fi_failure_count
    from events
    group by consent_handle
)

select
    r.consent_handle,
    q.requested_at,
    cast(q.requested_at as date) as requested_date,
    {{ month_start('q.requested_at') }} as requested_month,
    coalesce(q.tsp, 'UNKNOWN') as tsp,
    coalesce(q.purpose_code, 'UNKNOWN') as purpose_code,
    coalesce(q.fi_type, 'UNKNOWN') as fi_type,
    coalesce(q.fiu_license_type, 'UNKNOWN') as fiu_license_type,
    coalesce(q.journey_type, 'UNKNOWN') as journey_type,
    coalesce(q.user_type, 'UNKNOWN') as user_type,
    cast(r.event_count as integer) as event_count,
    cast(r.session_count as integer) as session_count,
    cast(r.fi_request_count as integer) as fi_request_count,
    cast(r.unknown_event_count as integer) as unknown_event_count,
    r.first_event_at,
    r.last_event_at,
    r.last_ingested_at,
    r.approved_at,
    {{ seconds_between('q.requested_at', 'r.approved_at') }} as seconds_to_approve,
    cast(coalesce(r.furthest_operational_stage, 0) as integer) as furthest_operational_stage,
    r.reached_requested = 1 as reached_requested,
    r.reached_redirected = 1 as reached_redirected,
    r.reached_otp_verified = 1 as reached_otp_verified,
    r.reached_accounts_discovered = 1 as reached_accounts_discovered,
    r.reached_accounts_linked = 1 as reached_accounts_linked,
    r.reached_consent_approved = 1 as reached_consent_approved,
    r.reached_fi_request_sent = 1 as reached_fi_request_sent,
    r.reached_fi_data_delivered = 1 as reached_fi_data_delivered,
    cast(r.fi_success_count as integer) as fi_success_count,
    cast(r.fi_failure_count as integer) as fi_failure_count,
    case
        when r.was_revoked = 1 then 'REVOKED'
        when r.was_rejected = 1 then 'REJECTED'
        when r.reached_fi_data_delivered = 1 then 'DATA_DELIVERED'
        when r.fi_failure_count > 0 then 'DATA_FAILED'
        when r.reached_consent_approved = 1 then 'APPROVED'
        else 'DROPPED'
    end as journey_outcome
from rollup as r
left join requested as q
    on r.consent_handle = q.consent_handle
    and q.request_rank = 1
