-- The 5-stage executive consent funnel: consent handles reaching each stage, by request
-- month and the six drill-down dimensions (TSP, purpose code, FI type, FIU license type,
-- journey type, user type). Sum the stage columns over any dimensions to drill up.
{% set dimensions = ['tsp', 'purpose_code', 'fi_type', 'fiu_license_type', 'journey_type', 'user_type'] %}
{% set stages = [['stage_1_requested', 'reached_requested'], ['stage_2_user_verified', 'reached_otp_verified'], ['stage_3_consent_approved', 'reached_consent_approved'], ['stage_4_data_requested', 'reached_fi_request_sent'], ['stage_5_data_delivered', 'reached_fi_data_delivered']] %}
select
    {{ surrogate_key(['requested_month', 'tsp', 'purpose_code', 'fi_type', 'fiu_license_type', 'journey_type', 'user_type']) }} as funnel_row_id,
    requested_month,
    {%- for d in dimensions %}
    {{ d }},
    {%- endfor %}
    {%- for s in stages %}
    cast(sum(case when {{ s[1] }} then 1 else 0 end) as integer) as {{ s[0] }},
    {%- endfor %}
    count(*) as journeys,
    {{ safe_ratio('sum(case when reached_fi_data_delivered then 1 else 0 end)', 'count(*)') }} as end_to_end_conversion
from {{ ref('fct_consent_journeys') }}
group by requested_month, {{ dimensions | join(', ') }}
