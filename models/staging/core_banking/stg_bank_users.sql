-- depends_on: {{ ref('bank_users') }}
-- Customers, latest version per user_id, with every personal field masked.
with ranked as (
    select
        *,
        row_number() over (partition by user_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_users') }}
)

select
    cast(user_id as integer) as customer_id,
    {{ mask_pii('full_name', 'name') }} as display_name,
    {{ mask_pii('mobile', 'mobile') }} as mobile_masked,
    {{ mask_pii('email', 'email') }} as email_masked,
    {{ mask_pii('pan', 'pan') }} as pan_masked,
    city,
    kyc_status,
    cast(signup_date as date) as signup_date,
    cast(created_at as timestamp) as created_at,
    cast(updated_at as timestamp) as updated_at
from ranked
where version_rank = 1
