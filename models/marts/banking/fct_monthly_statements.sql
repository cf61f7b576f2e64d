-- The monthly account statement a customer downloads: one row per account and month
-- with the opening balance, credits, debits and closing balance; the lines are in
-- fct_statement_lines.
select
    account_month_id as statement_id,
    account_id,
    customer_id,
    account_type,
    month_start as statement_month,
    opening_balance,
    total_credits,
    total_debits,
    closing_balance,
    cast(transaction_count as integer) as transaction_count
from {{ ref('int_account_monthly_balances') }}
