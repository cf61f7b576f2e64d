{#
  Type-2 history of each customer's profile tier (Bronze / Gold / Diamond).
  Each nightly build records a new version when a customer's tier changes, so
  advisors can see when someone was upgraded or slipped back.
#}
{% snapshot customer_tier_history %}
{{ config(unique_key='customer_id', strategy='check', check_cols=['tier'], tags=['nightly']) }}
select customer_id, tier, avg_month_end_balance, active_months
from {{ ref('dim_customers') }}
{% endsnapshot %}
