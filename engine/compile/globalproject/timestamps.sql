{#- The current time as each warehouse gives it. -#}

{#- current_timestamp(): now, as the adapter's dbt macro spells it (DuckDB
    and PostgreSQL: now(), with time zone; Snowflake: now in UTC). -#}
{% macro current_timestamp() -%}
{{ adapter.dispatch('current_timestamp', 'dbt')() }}
{%- endmacro %}

{#- dbt raises "not implemented" for adapters without a variant; strata
    falls back to the SQL standard's current_timestamp. -#}
{% macro default__current_timestamp() -%}
current_timestamp
{%- endmacro %}

{% macro duckdb__current_timestamp() -%}
now()
{%- endmacro %}

{% macro postgres__current_timestamp() -%}
now()
{%- endmacro %}

{% macro snowflake__current_timestamp() -%}
convert_timezone('UTC', current_timestamp())
{%- endmacro %}

{#- snapshot_get_time(): the time snapshots stamp rows with, without time
    zone. -#}
{% macro snapshot_get_time() -%}
{{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
{%- endmacro %}

{% macro default__snapshot_get_time() -%}
{{ current_timestamp() }}
{%- endmacro %}

{% macro duckdb__snapshot_get_time() -%}
{{ current_timestamp() }}::timestamp
{%- endmacro %}

{% macro postgres__snapshot_get_time() -%}
{{ current_timestamp() }}::timestamp without time zone
{%- endmacro %}

{% macro snowflake__snapshot_get_time() -%}
to_timestamp_ntz({{ current_timestamp() }})
{%- endmacro %}

{#- current_timestamp_backcompat() and current_timestamp_in_utc_backcompat():
    deprecated in dbt, kept for packages that called dbt_utils'
    current_timestamp before dbt 1.2; they give a timestamp without time
    zone, the second in UTC. -#}
{% macro current_timestamp_backcompat() -%}
{{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}

{% macro default__current_timestamp_backcompat() -%}
current_timestamp::{{ dbt.type_timestamp() }}
{%- endmacro %}

{% macro current_timestamp_in_utc_backcompat() -%}
{{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{%- endmacro %}

{% macro default__current_timestamp_in_utc_backcompat() -%}
{{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}

{% macro postgres__current_timestamp_in_utc_backcompat() -%}
(current_timestamp at time zone 'utc')::{{ dbt.type_timestamp() }}
{%- endmacro %}

{% macro snowflake__current_timestamp_in_utc_backcompat() -%}
convert_timezone('UTC', {{ dbt.current_timestamp_backcompat() }})::{{ dbt.type_timestamp() }}
{%- endmacro %}
