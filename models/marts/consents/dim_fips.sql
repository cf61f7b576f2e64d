-- Financial information providers, with their lifetime request counts.
with requests as (
    select
        fip_id,
        count(*) as fi_requests
    from {{ ref('stg_aa_consent_events') }}
    where event_type = 'FI_REQUEST_SENT'
    group by fip_id
)

select
    f.fip_id,
    f.fip_name,
    f.fip_category,
    f.onboarded_date,
    cast(coalesce(r.fi_requests, 0) as integer) as lifetime_fi_requests
from {{ ref('stg_aa_fips') }} as f
left join requests as r
    on f.fip_id = r.fip_id
