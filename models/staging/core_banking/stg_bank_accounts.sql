-- depends_on: {{ ref('bank_accounts') }}
-- Accounts, latest version per account_id.
with ranked as (
    select
        *,
        row_number() over (partition by account_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_accounts') }}
)

select
    cast(account_id as integer) as account_id,
    cast(user_id as integer) as customer_id,
    account_type,
    status as account_status,
    cast(opened_date as date) as opened_date,
    cast(updated_at as timestamp) as updated_at
from ranked
where version_rank = 1
