-- One row per customer and month: money in and out across all their accounts, balances,
-- loans and investments, and the flags the advisor lists are built from.
with balances as (
    select
        customer_id,
        month_start,
        sum(total_credits) as total_credits,
        sum(total_debits) as total_debits,
        sum(net_flow) as net_flow,
        sum(closing_balance) as month_end_balance,
        min(closing_balance) as lowest_account_balance,
        sum(total_withdrawals) as total_withdrawals,
        sum(transaction_count) as transaction_count
    from {{ ref('int_account_monthly_balances') }}
    group by customer_id, month_start
),

loan_terms as (
    select
        l.loan_id,
        l.customer_id,
        l.principal,
        {{ month_start('l.disbursed_date') }} as first_month,
        {{ month_start('max(r.due_date)') }} as last_month
    from {{ ref('stg_bank_loans') }} as l
    inner join {{ ref('stg_bank_repayments') }} as r
        on l.loan_id = r.loan_id
    group by l.loan_id, l.customer_id, l.principal, l.disbursed_date
),

loans as (
    select
        b.customer_id,
        b.month_start,
        sum(t.principal) as active_loan_principal,
        count(*) as active_loan_count
    from balances as b
    inner join loan_terms as t
        on b.customer_id = t.customer_id
        and b.month_start between t.first_month and t.last_month
    group by b.customer_id, b.month_start
),

investments as (
    -- An active SIP invests its amount every month; a fixed deposit once, when booked.
    select
        b.customer_id,
        b.month_start,
        sum(i.amount) as invested_amount
    from balances as b
    inner join {{ ref('stg_bank_investments') }} as i
        on b.customer_id = i.customer_id
        and (
            (i.product_type = 'sip'
                and b.month_start >= {{ month_start('i.start_date') }}
                and (i.end_date is null or b.month_start < {{ month_start('i.end_date') }}))
            or (i.product_type = 'fd' and b.month_start = {{ month_start('i.start_date') }})
        )
    group by b.customer_id, b.month_start
)

select
    {{ surrogate_key(['b.customer_id', 'b.month_start']) }} as customer_month_id,
    b.customer_id,
    b.month_start,
    {{ month_index('b.month_start') }} as month_index,
    cast(b.total_credits as numeric(18, 2)) as total_credits,
    cast(b.total_debits as numeric(18, 2)) as total_debits,
    cast(b.net_flow as numeric(18, 2)) as net_flow,
    cast(b.month_end_balance as numeric(18, 2)) as month_end_balance,
    cast(b.lowest_account_balance as numeric(18, 2)) as lowest_account_balance,
    cast(b.total_withdrawals as numeric(18, 2)) as total_withdrawals,
    cast(b.transaction_count as integer) as transaction_count,
    cast(coalesce(l.active_loan_principal, 0) as numeric(18, 2)) as active_loan_principal,
    cast(coalesce(l.active_loan_count, 0) as integer) as active_loan_count,
    cast(coalesce(i.invested_amount, 0) as numeric(18, 2)) as invested_amount,
    b.total_withdrawals >= {{ var('upsell_high_withdrawals') }} as is_high_withdrawals,
    coalesce(l.active_loan_principal, 0) >= {{ var('upsell_high_loan_principal') }} as is_high_loans,
    coalesce(i.invested_amount, 0) >= {{ var('upsell_high_investments') }} as is_high_investments,
    (b.net_flow < 0 or b.lowest_account_balance < 0) as is_in_red
from balances as b
left join loans as l
    on b.customer_id = l.customer_id
    and b.month_start = l.month_start
left join investments as i
    on b.customer_id = i.customer_id
    and b.month_start = i.month_start
