-- The evolution of transactions per month, by channel: counts and values of credits and
-- debits (posted transactions only).
select
    {{ surrogate_key(['transaction_month', 'channel']) }} as month_channel_id,
    transaction_month,
    channel,
    cast(count(*) as integer) as transaction_count,
    cast(sum(amount) as numeric(18, 2)) as transaction_value,
    cast(sum(case when direction = 'credit' then 1 else 0 end) as integer) as credit_count,
    cast(sum(case when direction = 'debit' then 1 else 0 end) as integer) as debit_count,
    cast(sum(case when direction = 'credit' then amount else 0 end) as numeric(18, 2)) as credit_value,
    cast(sum(case when direction = 'debit' then amount else 0 end) as numeric(18, 2)) as debit_value,
    cast(avg(amount) as numeric(18, 2)) as avg_transaction_value
from {{ ref('stg_bank_transactions') }}
where transaction_status = 'posted'
group by transaction_month, channel
