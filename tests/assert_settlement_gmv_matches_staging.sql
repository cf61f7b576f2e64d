-- GMV in the hourly settlement mart equals the GMV of the current (CDC-collapsed)
-- transactions in staging, recomputed there from rupees: nothing lost, nothing doubled.
with mart as (
    select
        payment_mode,
        sum(gmv_paise) as gmv_paise,
        sum(successful_transactions) as successful_transactions
    from {{ ref('rpt_settlement_hourly') }}
    group by payment_mode
),

staged as (
    select
        payment_mode,
        sum(amount_paise) as gmv_paise,
        count(*) as successful_transactions
    from {{ ref('stg_pg_settlement_transactions') }}
    where payment_status = 'SUCCESS'
    group by payment_mode
)

select
    coalesce(m.payment_mode, s.payment_mode) as payment_mode,
    m.gmv_paise as mart_gmv_paise,
    s.gmv_paise as staged_gmv_paise,
    m.successful_transactions as mart_transactions,
    s.successful_transactions as staged_transactions
from mart as m
full outer join staged as s
    on m.payment_mode = s.payment_mode
where coalesce(m.gmv_paise, -1) <> coalesce(s.gmv_paise, -1)
    or coalesce(m.successful_transactions, -1) <> coalesce(s.successful_transactions, -1)
