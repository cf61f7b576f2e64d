{% snapshot loans_snapshot %}
{{ config(target_schema='snapshots', unique_key='loan_id', strategy='timestamp', updated_at='updated_at') }}
select * from {{ source('raw', 'loans') }}
{% endsnapshot %}
