{{ config(materialized='ephemeral') }}
-- Every calendar month from the first ledger month to the reference date: the spine that
-- monthly balances and streaks are laid on (a month without transactions still counts).
with recursive months as (
    select min(transaction_month) as month_start
    from {{ ref('stg_bank_transactions') }}
    union all
    select cast(month_start + interval '1 month' as date)
    from months
    where month_start < {{ month_start(as_of_date()) }}
)

select month_start
from months
