{{ config(materialized='table', pre_hook="delete from audit where model = '{{ this.identifier }}'") }}
with a as (
    select * from {{ ref('clean_loans') }}
), b as (
    select * from {{ ref('raw_loans') }}
)
select a.* from a join b using (loan_id)
