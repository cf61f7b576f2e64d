{{ config(severity='error', store_failures=true) }}
select * from {{ ref('loans') }} where opened_at > current_date
