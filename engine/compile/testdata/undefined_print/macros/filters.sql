{% macro region_filter() -%}
region = '{{ regon }}'
{%- endmacro %}
