{#-
  json_text(column, key): the text value of a top-level key of a JSON document stored as
  text (null when the key is missing). Raw payloads stay text in the raw layer; staging
  extracts what it knows through this macro.
-#}
{% macro json_text(column, key) %}
    {{- adapter.dispatch('json_text')(column, key) -}}
{% endmacro %}

{% macro duckdb__json_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_text(column, key) -%}
    (cast({{ column }} as jsonb) ->> '{{ key }}')
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    json_extract_path_text({{ column }}, '{{ key }}')
{%- endmacro %}
