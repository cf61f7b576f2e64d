-- One row per account, with its balance at the reference date.
with latest as (
    select
        account_id,
        closing_balance,
        row_number() over (partition by account_id order by month_start desc) as month_rank
    from {{ ref('int_account_monthly_balances') }}
)

select
    a.account_id,
    a.customer_id,
    a.account_type,
    a.account_status,
    a.opened_date,
    cast(coalesce(l.closing_balance, 0) as numeric(18, 2)) as current_balance
from {{ ref('stg_bank_accounts') }} as a
left join latest as l
    on a.account_id = l.account_id
    and l.month_rank = 1
