-- Each month's statement opens at the previous month's closing balance (and an account's
-- first statement opens at zero).
with ordered as (
    select
        statement_id,
        opening_balance,
        lag(closing_balance) over (partition by account_id order by statement_month) as previous_closing
    from {{ ref('fct_monthly_statements') }}
)

select *
from ordered
where opening_balance <> coalesce(previous_closing, 0)
