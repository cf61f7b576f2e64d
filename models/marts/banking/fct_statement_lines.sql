-- The transaction lines of each monthly statement, with the running balance after each
-- line. Reversed transactions are listed (with their status) but do not move the balance.
with lines as (
    select
        t.transaction_id,
        t.account_id,
        t.transaction_at,
        t.transaction_month,
        t.direction,
        t.channel,
        t.kind,
        t.counterparty,
        t.transaction_status,
        t.amount,
        case when t.transaction_status = 'posted' then t.signed_amount else 0 end as balance_effect
    from {{ ref('stg_bank_transactions') }} as t
)

select
    l.transaction_id,
    {{ surrogate_key(['l.account_id', 'l.transaction_month']) }} as statement_id,
    l.account_id,
    l.transaction_at,
    l.transaction_month as statement_month,
    l.direction,
    l.channel,
    l.kind,
    l.counterparty,
    l.transaction_status,
    l.amount,
    cast(s.opening_balance + sum(l.balance_effect) over (
        partition by l.account_id, l.transaction_month
        order by l.transaction_at, l.transaction_id
        rows between unbounded preceding and current row
    ) as numeric(18, 2)) as running_balance
from lines as l
inner join {{ ref('int_account_monthly_balances') }} as s
    on l.account_id = s.account_id
    and l.transaction_month = s.month_start
