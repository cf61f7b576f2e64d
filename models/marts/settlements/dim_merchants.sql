-- Merchants and their settlement terms.
select
    merchant_id,
    merchant_name,
    category,
    settlement_cycle_days,
    rolling_reserve_pct,
    onboarded_date
from {{ ref('stg_pg_merchants') }}
