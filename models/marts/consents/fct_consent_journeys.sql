{{ config(
    materialized='incremental',
    unique_key='consent_handle',
    incremental_strategy='merge',
    tags=['hourly']
) }}
-- One row per consent journey (consent handle), stitched across sessions. Hourly runs
-- re-stitch only the handles that received events since the last run.
select *
from {{ ref('int_consent_journeys') }}
{% if is_incremental() %}
where consent_handle in (
    select consent_handle
    from {{ ref('stg_aa_consent_events') }}
    where ingested_at > (
        select max(last_ingested_at) - interval '{{ var("incremental_lookback_hours") }} hours'
        from {{ this }}
    )
)
{% endif %}
