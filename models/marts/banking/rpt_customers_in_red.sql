-- Customers "in the red" (money out exceeded money in, or an account was overdrawn at month
-- end) for at least var('min_consecutive_months') consecutive months: candidates for
-- budgeting help. One row per customer and streak.
with red_months as (
    select
        customer_id,
        month_start,
        net_flow,
        lowest_account_balance,
        month_index - row_number() over (partition by customer_id order by month_start) as island
    from {{ ref('int_customer_monthly_activity') }}
    where is_in_red
),

streaks as (
    select
        customer_id,
        min(month_start) as streak_start_month,
        max(month_start) as streak_end_month,
        count(*) as streak_months,
        sum(net_flow) as streak_net_flow,
        min(lowest_account_balance) as lowest_balance
    from red_months
    group by customer_id, island
    having count(*) >= {{ var('min_consecutive_months') }}
)

select
    {{ surrogate_key(['customer_id', 'streak_start_month']) }} as red_streak_id,
    customer_id,
    streak_start_month,
    streak_end_month,
    cast(streak_months as integer) as streak_months,
    cast(streak_net_flow as numeric(18, 2)) as streak_net_flow,
    cast(lowest_balance as numeric(18, 2)) as lowest_balance,
    streak_end_month = {{ month_start(as_of_date()) }} as is_ongoing
from streaks
