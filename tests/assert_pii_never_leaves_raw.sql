-- No customer-facing model carries a raw mobile number, email or PAN: every one is masked.
select
    u.customer_id
from {{ ref('dim_customers') }} as u
inner join {{ source('core_banking', 'bank_users') }} as raw
    on u.customer_id = raw.user_id
where u.mobile_masked = cast(raw.mobile as varchar)
    or u.email_masked = raw.email
    or u.pan_masked = raw.pan
    or u.display_name = raw.full_name
    or u.mobile_masked not like '%******%'
    or u.pan_masked not like '%****%'
