-- depends_on: {{ ref('bank_loans') }}
-- Loans, latest version per loan_id (status moves active -> closed or defaulted).
with ranked as (
    select
        *,
        row_number() over (partition by loan_id order by updated_at desc) as version_rank
    from {{ source('core_banking', 'bank_loans') }}
)

select
    cast(loan_id as integer) as loan_id,
    cast(user_id as integer) as customer_id,
    product,
    cast(principal as numeric(18, 2)) as principal,
    cast(annual_rate as numeric(5, 2)) as annual_rate,
    cast(tenure_months as integer) as tenure_months,
    cast(disbursed_date as date) as disbursed_date,
    status as loan_status,
    cast(updated_at as timestamp) as updated_at
from ranked
where version_rank = 1
