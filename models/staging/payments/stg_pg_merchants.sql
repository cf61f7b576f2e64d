-- depends_on: {{ ref('pg_merchant_master') }}
-- Merchants, latest version; the settlement cycle 'T+2' becomes the number 2.
with ranked as (
    select
        *,
        row_number() over (partition by merchant_id order by updated_at desc) as version_rank
    from {{ source('payments', 'pg_merchant_master') }}
)

select
    merchant_id,
    merchant_name,
    category,
    cast(substr(settlement_cycle, 3) as integer) as settlement_cycle_days,
    cast(rolling_reserve_percentage as numeric(5, 2)) as rolling_reserve_pct,
    cast(onboarded_date as date) as onboarded_date
from ranked
where version_rank = 1
