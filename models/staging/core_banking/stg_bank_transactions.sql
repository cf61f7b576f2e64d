-- depends_on: {{ ref('bank_transactions') }}
-- The ledger, latest version per transaction (a reversal updates the row in place).
with ranked as (
    select
        *,
        row_number() over (partition by transaction_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_transactions') }}
)

select
    cast(transaction_id as integer) as transaction_id,
    cast(account_id as integer) as account_id,
    cast(transaction_at as timestamp) as transaction_at,
    cast(transaction_at as date) as transaction_date,
    {{ month_start('transaction_at') }} as transaction_month,
    direction,
    channel,
    kind,
    status as transaction_status,
    cast(amount as numeric(18, 2)) as amount,
    cast(case when direction = 'credit' then amount else -amount end as numeric(18, 2)) as signed_amount,
    counterparty,
    cast(updated_at as timestamp) as updated_at
from ranked
where version_rank = 1
