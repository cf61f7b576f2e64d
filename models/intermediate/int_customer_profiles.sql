-- The profile tier of each customer: the average month-end balance and the number of
-- active months over the lookback window ending at the reference date. Thresholds are
-- project vars (tier_*).
with window_months as (
    select *
    from {{ ref('int_customer_monthly_activity') }}
    where month_index > {{ month_index(as_of_date()) }} - {{ var('tier_lookback_months') }}
),

summary as (
    select
        customer_id,
        cast(avg(month_end_balance) as numeric(18, 2)) as avg_month_end_balance,
        cast(avg(transaction_count) as numeric(18, 2)) as avg_monthly_transactions,
        sum(case when transaction_count > 0 then 1 else 0 end) as active_months
    from window_months
    group by customer_id
)

select
    customer_id,
    avg_month_end_balance,
    avg_monthly_transactions,
    cast(active_months as integer) as active_months,
    case
        when avg_month_end_balance >= {{ var('tier_diamond_min_avg_balance') }}
            and active_months >= {{ var('tier_min_active_months') }} then 'Diamond'
        when avg_month_end_balance >= {{ var('tier_gold_min_avg_balance') }}
            and active_months >= {{ var('tier_min_active_months') }} then 'Gold'
        else 'Bronze'
    end as tier
from summary
