-- Loan portfolio quality at the reference date, per product and for the whole book
-- (product 'all'): outstanding principal by days-past-due bucket and PAR30 (outstanding
-- principal of loans more than 30 days past due / total outstanding).
{% set buckets = [['0', 'dpd_0'], ['1-30', 'dpd_1_30'], ['31-60', 'dpd_31_60'], ['61-90', 'dpd_61_90'], ['90+', 'dpd_90_plus']] %}
with book as (
    select product, dpd_bucket, is_par30, outstanding_principal
    from {{ ref('fct_loans') }}
    where outstanding_principal > 0
    union all
    select 'all' as product, dpd_bucket, is_par30, outstanding_principal
    from {{ ref('fct_loans') }}
    where outstanding_principal > 0
)

select
    product,
    cast(count(*) as integer) as loans_outstanding,
    cast(sum(outstanding_principal) as numeric(18, 2)) as outstanding_principal,
    {%- for b in buckets %}
    cast(sum(case when dpd_bucket = '{{ b[0] }}' then 1 else 0 end) as integer) as loans_{{ b[1] }},
    cast(sum(case when dpd_bucket = '{{ b[0] }}' then outstanding_principal else 0 end) as numeric(18, 2)) as outstanding_{{ b[1] }},
    {%- endfor %}
    cast(sum(case when is_par30 then outstanding_principal else 0 end) as numeric(18, 2)) as par30_outstanding,
    {{ safe_ratio('sum(case when is_par30 then outstanding_principal else 0 end)', 'sum(outstanding_principal)') }} as par30_ratio
from book
group by product
