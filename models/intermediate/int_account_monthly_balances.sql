-- One row per account and month from the month it opened: credits, debits and the
-- balances they lead to. Reversed transactions never happened, for the balance.
with accounts as (
    select account_id, customer_id, account_type, opened_date
    from {{ ref('stg_bank_accounts') }}
),

flows as (
    select
        account_id,
        transaction_month as month_start,
        sum(case when direction = 'credit' then amount else 0 end) as total_credits,
        sum(case when direction = 'debit' then amount else 0 end) as total_debits,
        sum(case when kind = 'withdrawal' then amount else 0 end) as total_withdrawals,
        count(*) as transaction_count
    from {{ ref('stg_bank_transactions') }}
    where transaction_status = 'posted'
    group by account_id, transaction_month
),

spine as (
    select
        a.account_id,
        a.customer_id,
        a.account_type,
        m.month_start
    from accounts as a
    inner join {{ ref('int_months') }} as m
        on m.month_start >= {{ month_start('a.opened_date') }}
),

monthly as (
    select
        s.account_id,
        s.customer_id,
        s.account_type,
        s.month_start,
        cast(coalesce(f.total_credits, 0) as numeric(18, 2)) as total_credits,
        cast(coalesce(f.total_debits, 0) as numeric(18, 2)) as total_debits,
        cast(coalesce(f.total_withdrawals, 0) as numeric(18, 2)) as total_withdrawals,
        coalesce(f.transaction_count, 0) as transaction_count
    from spine as s
    left join flows as f
        on s.account_id = f.account_id
        and s.month_start = f.month_start
),

balances as (
    select
        *,
        cast(sum(total_credits - total_debits) over (
            partition by account_id order by month_start
            rows between unbounded preceding and current row
        ) as numeric(18, 2)) as closing_balance
    from monthly
)

select
    {{ surrogate_key(['account_id', 'month_start']) }} as account_month_id,
    account_id,
    customer_id,
    account_type,
    month_start,
    cast(closing_balance - (total_credits - total_debits) as numeric(18, 2)) as opening_balance,
    total_credits,
    total_debits,
    cast(total_credits - total_debits as numeric(18, 2)) as net_flow,
    closing_balance,
    total_withdrawals,
    transaction_count
from balances
