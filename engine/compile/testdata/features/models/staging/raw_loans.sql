{{ config(materialized='ephemeral') }}
select 1 as loan_id, 100 as amount, current_date as opened_at
