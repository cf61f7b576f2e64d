-- The daily summary the regulator and the industry body ask of an account aggregator:
-- consents raised, approved, rejected and revoked, FI data fetches and their success rate.
with events as (
    select *
    from {{ ref('fct_consent_events') }}
),

days as (
    select distinct event_date as report_date
    from events
)

select
    d.report_date,
    cast(sum(case when e.event_type = 'CONSENT_REQUESTED' then 1 else 0 end) as integer) as consents_raised,
    cast(sum(case when e.event_type = 'CONSENT_APPROVED' then 1 else 0 end) as integer) as consents_approved,
    cast(sum(case when e.event_type = 'CONSENT_REJECTED' then 1 else 0 end) as integer) as consents_rejected,
    cast(sum(case when e.event_type = 'CONSENT_REVOKED' then 1 else 0 end) as integer) as consents_revoked,
    cast(sum(case when e.event_type = 'FI_REQUEST_SENT' then 1 else 0 end) as integer) as fi_requests,
    cast(sum(case when e.event_type = 'FI_DATA_DELIVERED' then 1 else 0 end) as integer) as fi_successes,
    cast(sum(case when e.event_type = 'FI_DATA_FAILED' then 1 else 0 end) as integer) as fi_failures,
    {{ safe_ratio("sum(case when e.event_type = 'FI_DATA_DELIVERED' then 1 else 0 end)",
                  "sum(case when e.event_type in ('FI_DATA_DELIVERED', 'FI_DATA_FAILED') then 1 else 0 end)") }} as fi_success_rate,
    cast(sum(case when not e.is_known_event_type then 1 else 0 end) as integer) as unknown_events
from days as d
inner join events as e
    on e.event_date = d.report_date
group by d.report_date
