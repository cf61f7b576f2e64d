{#- cast and safe_cast, and the type names dbt's adapters give for the
    portable type labels (type_string(), type_timestamp(), …), which
    packages use in casts and DDL. -#}

{% macro cast(field, type) -%}
{{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}
{%- endmacro %}

{% macro default__cast(field, type) -%}
cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Snowflake converts to its spatial types with functions, not cast. -#}
{% macro snowflake__cast(field, type) -%}
{%- set t = type | string | upper -%}
{%- if t == 'GEOGRAPHY' -%}
to_geography({{ field }})
{%- elif t == 'GEOMETRY' -%}
to_geometry({{ field }})
{%- else -%}
cast({{ field }} as {{ type }})
{%- endif -%}
{%- endmacro %}

{#- safe_cast(field, type): a cast that gives null instead of failing where
    the warehouse has one (DuckDB, Snowflake: try_cast); elsewhere a plain
    cast, as in dbt (PostgreSQL has no try_cast: a bad value is an error). -#}
{% macro safe_cast(field, type) -%}
{{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}
{%- endmacro %}

{% macro default__safe_cast(field, type) -%}
cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}
try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Snowflake's try_cast takes only text, so a number given as the field is
    quoted; it cannot produce a variant, so variant falls back to cast. -#}
{% macro snowflake__safe_cast(field, type) -%}
{%- set t = type | string | upper -%}
{%- if t == 'GEOMETRY' -%}
try_to_geometry({{ field }})
{%- elif t == 'GEOGRAPHY' -%}
try_to_geography({{ field }})
{%- elif t == 'VARIANT' -%}
{{ adapter.dispatch('cast', 'dbt')(field, type) }}
{%- else -%}
try_cast({{ dbt.string_literal(field) if field is number else field }} as {{ type }})
{%- endif -%}
{%- endmacro %}

{#- The type macros. dbt derives these from the adapter's column class
    (api.Column.translate_type, numeric_type); for DuckDB, PostgreSQL and
    Snowflake all of them give the same names: string is TEXT, numeric is
    numeric(28,6) and the rest keep the label's own name. -#}

{% macro type_string() -%}
{{ return(adapter.dispatch('type_string', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_string() -%}
{{ return('TEXT') }}
{%- endmacro %}

{% macro type_timestamp() -%}
{{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}
{%- endmacro %}

{#- timestamp without time zone on all three (Snowflake: TIMESTAMP_NTZ under
    its default TIMESTAMP_TYPE_MAPPING). -#}
{% macro default__type_timestamp() -%}
{{ return('timestamp') }}
{%- endmacro %}

{% macro type_float() -%}
{{ return(adapter.dispatch('type_float', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_float() -%}
{{ return('float') }}
{%- endmacro %}

{% macro type_numeric() -%}
{{ return(adapter.dispatch('type_numeric', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_numeric() -%}
{{ return('numeric(28,6)') }}
{%- endmacro %}

{% macro type_bigint() -%}
{{ return(adapter.dispatch('type_bigint', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_bigint() -%}
{{ return('bigint') }}
{%- endmacro %}

{% macro type_int() -%}
{{ return(adapter.dispatch('type_int', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_int() -%}
{{ return('integer') }}
{%- endmacro %}

{% macro type_boolean() -%}
{{ return(adapter.dispatch('type_boolean', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_boolean() -%}
{{ return('boolean') }}
{%- endmacro %}
