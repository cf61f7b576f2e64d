{{ config(materialized='ephemeral') }}
with base as (
    select * from {{ ref('raw_loans') }}
)
select * from base where amount > 0
