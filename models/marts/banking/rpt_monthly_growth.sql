-- What directors watch every month: revenue (interest collected on loan repayments),
-- transaction volume and value, new and active customers, and growth on the month before.
with months as (
    select month_start
    from {{ ref('int_months') }}
),

ledger as (
    select
        transaction_month as month_start,
        count(*) as transaction_count,
        sum(amount) as transaction_value,
        count(distinct account_id) as active_accounts
    from {{ ref('stg_bank_transactions') }}
    where transaction_status = 'posted'
    group by transaction_month
),

active as (
    select
        month_start,
        count(*) as active_customers
    from {{ ref('int_customer_monthly_activity') }}
    where transaction_count > 0
    group by month_start
),

signups as (
    select
        signup_month as month_start,
        count(*) as new_customers
    from {{ ref('dim_customers') }}
    group by signup_month
),

revenue as (
    -- Each payment earns the interest share of the installment it pays.
    select
        {{ month_start('p.paid_date') }} as month_start,
        sum(p.amount * r.interest_component / r.due_amount) as interest_revenue
    from {{ ref('stg_bank_loan_payments') }} as p
    inner join {{ ref('stg_bank_repayments') }} as r
        on p.repayment_id = r.repayment_id
    group by {{ month_start('p.paid_date') }}
),

monthly as (
    select
        m.month_start,
        cast(coalesce(rv.interest_revenue, 0) as numeric(18, 2)) as revenue,
        cast(coalesce(l.transaction_count, 0) as integer) as transaction_count,
        cast(coalesce(l.transaction_value, 0) as numeric(18, 2)) as transaction_value,
        cast(coalesce(s.new_customers, 0) as integer) as new_customers,
        cast(coalesce(a.active_customers, 0) as integer) as active_customers
    from months as m
    left join ledger as l on m.month_start = l.month_start
    left join active as a on m.month_start = a.month_start
    left join signups as s on m.month_start = s.month_start
    left join revenue as rv on m.month_start = rv.month_start
)

select
    month_start,
    revenue,
    transaction_count,
    transaction_value,
    new_customers,
    cast(sum(new_customers) over (order by month_start rows between unbounded preceding and current row) as integer) as total_customers,
    active_customers,
    {{ safe_ratio('revenue - lag(revenue) over (order by month_start)', 'lag(revenue) over (order by month_start)') }} as revenue_growth,
    {{ safe_ratio('transaction_count - lag(transaction_count) over (order by month_start)', 'lag(transaction_count) over (order by month_start)') }} as transaction_count_growth,
    {{ safe_ratio('active_customers - lag(active_customers) over (order by month_start)', 'lag(active_customers) over (order by month_start)') }} as active_customer_growth
from monthly
