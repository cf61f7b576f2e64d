-- The monthly regulatory summary by purpose code: consents raised, approved, rejected and
-- revoked in the month, FI requests and their success rate, and the approval rate.
with events as (
    select
        e.*,
        {{ month_start('e.event_date') }} as report_month,
        j.purpose_code
    from {{ ref('fct_consent_events') }} as e
    inner join {{ ref('fct_consent_journeys') }} as j
        on e.consent_handle = j.consent_handle
)

select
    {{ surrogate_key(['report_month', 'purpose_code']) }} as report_row_id,
    report_month,
    purpose_code,
    cast(sum(case when event_type = 'CONSENT_REQUESTED' then 1 else 0 end) as integer) as consents_raised,
    cast(sum(case when event_type = 'CONSENT_APPROVED' then 1 else 0 end) as integer) as consents_approved,
    cast(sum(case when event_type = 'CONSENT_REJECTED' then 1 else 0 end) as integer) as consents_rejected,
    cast(sum(case when event_type = 'CONSENT_REVOKED' then 1 else 0 end) as integer) as consents_revoked,
    {{ safe_ratio("sum(case when event_type = 'CONSENT_APPROVED' then 1 else 0 end)",
                  "sum(case when event_type in ('CONSENT_APPROVED', 'CONSENT_REJECTED') then 1 else 0 end)") }} as approval_rate,
    cast(sum(case when event_type = 'FI_REQUEST_SENT' then 1 else 0 end) as integer) as fi_requests,
    cast(sum(case when event_type = 'FI_DATA_DELIVERED' then 1 else 0 end) as integer) as fi_successes,
    cast(sum(case when event_type = 'FI_DATA_FAILED' then 1 else 0 end) as integer) as fi_failures,
    {{ safe_ratio("sum(case when event_type = 'FI_DATA_DELIVERED' then 1 else 0 end)",
                  "sum(case when event_type in ('FI_DATA_DELIVERED', 'FI_DATA_FAILED') then 1 else 0 end)") }} as fi_success_rate
from events
group by report_month, purpose_code
