select * from {{ ref('clean_loans') }}
