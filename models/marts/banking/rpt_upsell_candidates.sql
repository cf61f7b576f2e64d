-- Customers an advisor should call: high withdrawals, high loans or high investments for
-- at least var('min_consecutive_months') consecutive months. One row per customer, signal
-- and streak (gaps and islands: consecutive months share month_index - row_number()).
with signals as (
    select customer_id, month_start, month_index, 'high_withdrawals' as signal, total_withdrawals as amount
    from {{ ref('int_customer_monthly_activity') }}
    where is_high_withdrawals
    union all
    select customer_id, month_start, month_index, 'high_loans' as signal, active_loan_principal as amount
    from {{ ref('int_customer_monthly_activity') }}
    where is_high_loans
    union all
    select customer_id, month_start, month_index, 'high_investments' as signal, invested_amount as amount
    from {{ ref('int_customer_monthly_activity') }}
    where is_high_investments
),

islands as (
    select
        *,
        month_index - row_number() over (partition by customer_id, signal order by month_start) as island
    from signals
),

streaks as (
    select
        customer_id,
        signal,
        min(month_start) as streak_start_month,
        max(month_start) as streak_end_month,
        count(*) as streak_months,
        sum(amount) as streak_amount
    from islands
    group by customer_id, signal, island
    having count(*) >= {{ var('min_consecutive_months') }}
)

select
    {{ surrogate_key(['customer_id', 'signal', 'streak_start_month']) }} as candidate_id,
    customer_id,
    signal,
    streak_start_month,
    streak_end_month,
    cast(streak_months as integer) as streak_months,
    cast(streak_amount as numeric(18, 2)) as streak_amount,
    streak_end_month = {{ month_start(as_of_date()) }} as is_ongoing
from streaks
