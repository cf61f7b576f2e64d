{%- set statuses = ['active', 'closed'] -%}
select
    user_id,
    {%- for s in statuses %}
    sum(case when status = '{{ s }}' then 1 else 0 end) as n_{{ s }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('stg_loans') }} l
join {{ ref('int_loan_status') }} s using (loan_id)
group by 1
