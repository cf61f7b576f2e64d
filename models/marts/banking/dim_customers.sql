-- One row per customer: masked contact details, KYC, accounts, and the profile tier.
with accounts as (
    select customer_id, count(*) as account_count
    from {{ ref('stg_bank_accounts') }}
    group by customer_id
),

loans as (
    select customer_id, count(*) as active_loan_count
    from {{ ref('stg_bank_loans') }}
    where loan_status = 'active'
    group by customer_id
),

investments as (
    select customer_id, count(*) as active_investment_count
    from {{ ref('stg_bank_investments') }}
    where investment_status = 'active'
    group by customer_id
)

select
    u.customer_id,
    u.display_name,
    u.mobile_masked,
    u.email_masked,
    u.pan_masked,
    u.city,
    u.kyc_status,
    u.signup_date,
    {{ month_start('u.signup_date') }} as signup_month,
    cast(coalesce(a.account_count, 0) as integer) as account_count,
    cast(coalesce(l.active_loan_count, 0) as integer) as active_loan_count,
    cast(coalesce(i.active_investment_count, 0) as integer) as active_investment_count,
    coalesce(p.tier, 'Bronze') as tier,
    p.avg_month_end_balance,
    p.avg_monthly_transactions,
    cast(coalesce(p.active_months, 0) as integer) as active_months
from {{ ref('stg_bank_users') }} as u
left join accounts as a on u.customer_id = a.customer_id
left join loans as l on u.customer_id = l.customer_id
left join investments as i on u.customer_id = i.customer_id
left join {{ ref('int_customer_profiles') }} as p on u.customer_id = p.customer_id
