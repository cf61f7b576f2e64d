{#- Date and time helpers that differ between DuckDB and PostgreSQL. -#}

{#- epoch_ms_to_timestamp(column): a timestamp (without time zone, UTC) from epoch milliseconds. -#}
{% macro epoch_ms_to_timestamp(column) %}
    {{- adapter.dispatch('epoch_ms_to_timestamp')(column) -}}
{% endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(column) -%}
    epoch_ms(cast({{ column }} as bigint))
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(column) -%}
    (timestamp '1970-01-01 00:00:00' + cast({{ column }} as bigint) * interval '1 millisecond')
{%- endmacro %}

{#- seconds_between(start, end): whole seconds from one timestamp to another. -#}
{% macro seconds_between(start, end) %}
    {{- adapter.dispatch('seconds_between')(start, end) -}}
{% endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
    date_diff('second', {{ start }}, {{ end }})
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    cast(extract(epoch from ({{ end }} - {{ start }})) as bigint)
{%- endmacro %}

{#- month_start(expr): the first day of the month of a date or timestamp, as a date. -#}
{% macro month_start(expr) -%}
    cast(date_trunc('month', cast({{ expr }} as timestamp)) as date)
{%- endmacro %}

{#- month_index(expr): months since year 0, so consecutive months differ by exactly one. -#}
{% macro month_index(expr) -%}
    (cast(extract(year from {{ expr }}) as integer) * 12 + cast(extract(month from {{ expr }}) as integer))
{%- endmacro %}

{#- as_of_date(): the reference day of the example data, from the project var. -#}
{% macro as_of_date() -%}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
