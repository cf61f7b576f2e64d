{{ config(materialized='view') }}
select
    id as loan_id,
    user_id,
    {{ cents_to_dollars('amount_cents') }} as amount,
    status
from {{ source('raw', 'loans') }}
where amount_cents >= {{ var('min_amount') }}
