-- depends_on: {{ ref('bank_repayments') }}
-- Repayment schedule: one row per installment, latest version.
with ranked as (
    select
        *,
        row_number() over (partition by repayment_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_repayments') }}
)

select
    cast(repayment_id as integer) as repayment_id,
    cast(loan_id as integer) as loan_id,
    cast(installment_no as integer) as installment_no,
    cast(due_date as date) as due_date,
    cast(due_amount as numeric(18, 2)) as due_amount,
    cast(principal_component as numeric(18, 2)) as principal_component,
    cast(interest_component as numeric(18, 2)) as interest_component
from ranked
where version_rank = 1
