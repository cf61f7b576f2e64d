-- One row per customer and month: money in and out, balances, loans, investments and the
-- advisor flags (high withdrawals, loans or investments; in the red).
select
    customer_month_id,
    customer_id,
    month_start,
    total_credits,
    total_debits,
    net_flow,
    month_end_balance,
    lowest_account_balance,
    total_withdrawals,
    transaction_count,
    active_loan_principal,
    active_loan_count,
    invested_amount,
    is_high_withdrawals,
    is_high_loans,
    is_high_investments,
    is_in_red
from {{ ref('int_customer_monthly_activity') }}
