-- A statement's closing balance is its opening balance plus credits minus debits.
select
    statement_id,
    opening_balance,
    total_credits,
    total_debits,
    closing_balance
from {{ ref('fct_monthly_statements') }}
where closing_balance <> opening_balance + total_credits - total_debits
