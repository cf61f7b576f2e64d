{#- The built-in generic tests: not_null, unique, accepted_values and
    relationships. Each test_<name> dispatches, so a project (or a package
    listed in its dispatch config) can replace the SQL per adapter.
    not_null, unique and relationships are also rendered in Go when nothing
    overrides them (generic.go, builtinTest): keep both renderings equal. -#}

{% macro test_not_null(model, column_name) -%}
{{ adapter.dispatch('test_not_null', 'dbt')(model, column_name) }}
{%- endmacro %}

{% macro default__test_not_null(model, column_name) -%}
{% set column_list = '*' if should_store_failures() else column_name %}
select {{ column_list }}
from {{ model }}
where {{ column_name }} is null
{%- endmacro %}

{% macro test_unique(model, column_name) -%}
{{ adapter.dispatch('test_unique', 'dbt')(model, column_name) }}
{%- endmacro %}

{% macro default__test_unique(model, column_name) -%}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{%- endmacro %}

{% macro test_accepted_values(model, column_name, values, quote=True) -%}
{{ adapter.dispatch('test_accepted_values', 'dbt')(model, column_name, values, quote) }}
{%- endmacro %}

{#- With quote (the default) each value becomes a SQL string literal: a
    single quote inside it is doubled, and on Snowflake, where a backslash in
    a literal starts an escape, a backslash is doubled too. Without quote the
    values are pasted as written (numbers, expressions). -#}
{% macro default__test_accepted_values(model, column_name, values, quote=True) -%}
with all_values as (
    select
        {{ column_name }} as value_field,
        count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}
        {%- set text = value | string -%}
        {%- if adapter.type() == 'snowflake' -%}
        {%- set text = text | replace('\\', '\\\\') -%}
        {%- endif -%}
        '{{ text | replace("'", "''") }}'
        {%- else -%}
        {{ value }}
        {%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)
{%- endmacro %}

{% macro test_relationships(model, column_name, to, field) -%}
{{ adapter.dispatch('test_relationships', 'dbt')(model, column_name, to, field) }}
{%- endmacro %}

{% macro default__test_relationships(model, column_name, to, field) -%}
with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field
from child
left join parent
    on child.from_field = parent.to_field
where parent.to_field is null
{%- endmacro %}

{% macro should_store_failures() -%}
{%- set v = config.get('store_failures') -%}
{{ return(v if v is not none else flags.STORE_FAILURES) }}
{%- endmacro %}
