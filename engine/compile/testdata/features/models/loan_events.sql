{{ config(materialized='incremental', unique_key=['loan_id', 'event_at'], incremental_strategy='merge') }}
{% set cols = adapter.get_columns_in_relation(this) %}
select loan_id, opened_at as event_at from {{ ref('loans') }}
{% if is_incremental() %}
where opened_at > (select max(event_at) from {{ this }}) -- {{ this.schema }}
{% endif %}
