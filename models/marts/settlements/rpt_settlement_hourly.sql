{{ config(tags=['hourly']) }}
-- Per hour (of payment creation) and payment mode: transactions, successful ones, GMV in
-- paise, how many are settled, and the settlement rate (settled / successful).
select
    {{ surrogate_key(['hour_start', 'payment_mode']) }} as hour_mode_id,
    hour_start,
    cast(hour_start as date) as hour_date,
    payment_mode,
    cast(count(*) as integer) as transactions,
    cast(sum(case when payment_status = 'SUCCESS' then 1 else 0 end) as integer) as successful_transactions,
    cast(sum(case when payment_status = 'FAILED' then 1 else 0 end) as integer) as failed_transactions,
    cast(coalesce(sum(case when payment_status = 'SUCCESS' then amount_paise else 0 end), 0) as bigint) as gmv_paise,
    cast(sum(case when settlement_state = 'SETTLED' then 1 else 0 end) as integer) as settled_transactions,
    cast(sum(case when settlement_state = 'SETTLED' then amount_paise else 0 end) as bigint) as settled_paise,
    {{ safe_ratio("sum(case when settlement_state = 'SETTLED' then 1 else 0 end)",
                  "sum(case when payment_status = 'SUCCESS' then 1 else 0 end)") }} as settlement_rate
from (
    select
        *,
        date_trunc('hour', created_at) as hour_start
    from {{ ref('fct_settlements') }}
    where not is_deleted
) as s
group by hour_start, payment_mode
