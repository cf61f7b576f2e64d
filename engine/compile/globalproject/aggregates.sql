{#- Aggregates, arrays, set operators and null-aware equality. -#}

{#- any_value(expression): some value of the group. -#}
{% macro any_value(expression) -%}
{{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__any_value(expression) -%}
any_value({{ expression }})
{%- endmacro %}

{#- PostgreSQL before 16 has no any_value: min is some value of the group. -#}
{% macro postgres__any_value(expression) -%}
min({{ expression }})
{%- endmacro %}

{% macro duckdb__any_value(expression) -%}
arbitrary({{ expression }})
{%- endmacro %}

{#- bool_or(expression): true when the expression is true for any row. -#}
{% macro bool_or(expression) -%}
{{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__bool_or(expression) -%}
bool_or({{ expression }})
{%- endmacro %}

{% macro snowflake__bool_or(expression) -%}
boolor_agg({{ expression }})
{%- endmacro %}

{#- array_construct(inputs, data_type): an array of the inputs (a list of
    expressions of one type); empty, it needs the element type. -#}
{% macro array_construct(inputs=[], data_type='integer') -%}
{{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}
{%- endmacro %}

{% macro default__array_construct(inputs, data_type) -%}
{%- if inputs | length > 0 -%}
array[{{ inputs | join(', ') }}]
{%- else -%}
array[]::{{ data_type }}[]
{%- endif -%}
{%- endmacro %}

{% macro snowflake__array_construct(inputs, data_type) -%}
array_construct({{ inputs | join(', ') }})
{%- endmacro %}

{#- array_append(array, new_element): the array with new_element (of the
    elements' type) added at the end. -#}
{% macro array_append(array, new_element) -%}
{{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
{%- endmacro %}

{% macro default__array_append(array, new_element) -%}
array_append({{ array }}, {{ new_element }})
{%- endmacro %}

{#- array_concat(array_1, array_2): the elements of both, in order. -#}
{% macro array_concat(array_1, array_2) -%}
{{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
{%- endmacro %}

{% macro default__array_concat(array_1, array_2) -%}
array_cat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{#- except() and intersect(): the set operators' keywords (distinct). -#}
{% macro except() -%}
{{ return(adapter.dispatch('except', 'dbt')()) }}
{%- endmacro %}

{% macro default__except() -%}
except
{%- endmacro %}

{% macro intersect() -%}
{{ return(adapter.dispatch('intersect', 'dbt')()) }}
{%- endmacro %}

{% macro default__intersect() -%}
intersect
{%- endmacro %}

{#- equals(expr1, expr2): a condition for "expr1 equals expr2". By default a
    plain =, so a null on either side is not equal. dbt's behaviour flag
    enable_truthy_nulls_equals_macro (read from adapter.behavior when the
    context provides it) makes two nulls equal. -#}
{% macro equals(expr1, expr2) -%}
{{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}
{%- endmacro %}

{% macro _nulls_equal() -%}
{%- if adapter.behavior is defined and adapter.behavior.enable_truthy_nulls_equals_macro is defined -%}
{{ return(adapter.behavior.enable_truthy_nulls_equals_macro.no_warn) }}
{%- endif -%}
{{ return(false) }}
{%- endmacro %}

{% macro default__equals(expr1, expr2) -%}
{%- if _nulls_equal() -%}
(case when (({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null)) then 0 else 1 end = 0)
{%- else -%}
({{ expr1 }} = {{ expr2 }})
{%- endif -%}
{%- endmacro %}

{% macro postgres__equals(expr1, expr2) -%}
{%- if _nulls_equal() -%}
({{ expr1 }} is not distinct from {{ expr2 }})
{%- else -%}
({{ expr1 }} = {{ expr2 }})
{%- endif -%}
{%- endmacro %}

{% macro snowflake__equals(expr1, expr2) -%}
{{ dbt.postgres__equals(expr1, expr2) }}
{%- endmacro %}
