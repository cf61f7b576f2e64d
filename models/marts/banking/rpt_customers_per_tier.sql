-- Customers per profile tier (Bronze, Gold, Diamond) at the reference date, with the
-- balances behind them. Thresholds are project vars (tier_*).
with tiers as (
    select 'Bronze' as tier, 1 as tier_rank
    union all select 'Gold', 2
    union all select 'Diamond', 3
)

select
    t.tier,
    t.tier_rank,
    cast(count(c.customer_id) as integer) as customer_count,
    {{ safe_ratio('count(c.customer_id)', 'sum(count(c.customer_id)) over ()') }} as share_of_customers,
    cast(coalesce(avg(c.avg_month_end_balance), 0) as numeric(18, 2)) as avg_month_end_balance,
    cast(coalesce(sum(c.avg_month_end_balance), 0) as numeric(18, 2)) as total_avg_balance
from tiers as t
left join {{ ref('dim_customers') }} as c
    on t.tier = c.tier
group by t.tier, t.tier_rank
