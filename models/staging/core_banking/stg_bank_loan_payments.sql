-- depends_on: {{ ref('bank_loan_payments') }}
-- Payments against installments, latest version per payment_id.
with ranked as (
    select
        *,
        row_number() over (partition by payment_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_loan_payments') }}
)

select
    cast(payment_id as integer) as payment_id,
    cast(loan_id as integer) as loan_id,
    cast(repayment_id as integer) as repayment_id,
    cast(paid_at as timestamp) as paid_at,
    cast(paid_at as date) as paid_date,
    cast(amount as numeric(18, 2)) as amount,
    channel
from ranked
where version_rank = 1
