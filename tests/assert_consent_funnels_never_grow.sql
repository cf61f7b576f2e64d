-- No funnel stage counts more consent handles than the stage before it, in any row of
-- either funnel (so in any drill-down as well).
{% set funnels = [
    ['rpt_consent_funnel_executive', ['stage_1_requested', 'stage_2_user_verified', 'stage_3_consent_approved', 'stage_4_data_requested', 'stage_5_data_delivered']],
    ['rpt_consent_funnel_operational', ['stage_1_requested', 'stage_2_redirected', 'stage_3_otp_verified', 'stage_4_accounts_discovered', 'stage_5_accounts_linked', 'stage_6_consent_approved', 'stage_7_fi_request_sent', 'stage_8_fi_data_delivered']]
] %}
{% for f in funnels %}
{% set stages = f[1] %}
{% for i in range(1, stages | length) %}
select '{{ f[0] }}' as funnel, funnel_row_id, '{{ stages[i] }}' as stage, {{ stages[i - 1] }} as previous_count, {{ stages[i] }} as stage_count
from {{ ref(f[0]) }}
where {{ stages[i] }} > {{ stages[i - 1] }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% if not loop.last %}union all{% endif %}
{% endfor %}
