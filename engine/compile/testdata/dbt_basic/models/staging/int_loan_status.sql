{{ config(materialized='ephemeral') }}
select loan_id, status from {{ ref('stg_loans') }}
