select * from {{ ref('stg_loans') }} where amount < 0
