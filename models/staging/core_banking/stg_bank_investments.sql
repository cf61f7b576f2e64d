-- depends_on: {{ ref('bank_investments') }}
-- SIPs and fixed deposits, latest version per investment_id.
with ranked as (
    select
        *,
        row_number() over (partition by investment_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_investments') }}
)

select
    cast(investment_id as integer) as investment_id,
    cast(user_id as integer) as customer_id,
    product_type,
    scheme_name,
    cast(amount as numeric(18, 2)) as amount,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    status as investment_status
from ranked
where version_rank = 1
