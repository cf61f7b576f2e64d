{#- Relations and introspection helpers of dbt's global project, written for
    strata from dbt's documented behaviour. -#}

{% macro load_relation(relation) -%}
  {{ return(load_cached_relation(relation)) }}
{%- endmacro %}

{% macro load_cached_relation(relation) -%}
  {{ return(adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}
    {%- if "__dbt_subquery" in where -%}{%- set where = where | replace("__dbt_subquery", "") -%}{%- endif -%}
    {%- do return("(select * from " ~ relation ~ " where " ~ where ~ ") dbt_subquery") -%}
  {%- endif -%}
  {%- do return(relation) -%}
{%- endmacro %}

{% macro get_columns_in_query(select_sql) -%}
  {{ return(adapter.dispatch('get_columns_in_query', 'dbt')(select_sql)) }}
{%- endmacro %}

{% macro default__get_columns_in_query(select_sql) -%}
  {% call statement('get_columns_in_query', fetch_result=True, auto_begin=False) -%}
    select * from (
      {{ select_sql }}
    ) as __dbt_sbq
    where false
    limit 0
  {%- endcall %}
  {{ return(load_result('get_columns_in_query').table.columns | map(attribute='name') | list) }}
{%- endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{%- endmacro %}

{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') -%}
  {{ return(make_temp_relation(base_relation, suffix)) }}
{%- endmacro %}

{% macro make_backup_relation(base_relation, backup_relation_type, suffix='__dbt_backup') -%}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix}, type=backup_relation_type)) }}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) -%}
  {% if relation is not none %}
    {{ adapter.drop_relation(relation) }}
  {% endif %}
{%- endmacro %}

{% macro drop_relation(relation) -%}
  {{ adapter.drop_relation(relation) }}
{%- endmacro %}

{% macro create_schema(relation) -%}
  {{ adapter.create_schema(relation) }}
{%- endmacro %}

{% macro drop_schema(relation) -%}
  {{ adapter.drop_schema(relation) }}
{%- endmacro %}

{% macro get_create_table_as_sql(temporary, relation, sql) -%}
  {{ return(create_table_as(temporary, relation, sql)) }}
{%- endmacro %}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
  {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code, language)) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, sql, language='sql') -%}
  create {% if temporary -%}temporary{%- endif %} table
    {{ relation.include(database=(not temporary), schema=(not temporary)) }}
  as (
    {{ sql }}
  );
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
  {{ return(create_view_as(relation, sql)) }}
{%- endmacro %}

{% macro create_view_as(relation, sql) -%}
  {{ return(adapter.dispatch('create_view_as', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__create_view_as(relation, sql) -%}
  create view {{ relation }} as (
    {{ sql }}
  );
{%- endmacro %}

{% macro run_hooks(hooks, inside_transaction=True) -%}
  {% for hook in hooks | selectattr('transaction', 'equalto', inside_transaction) %}
    {% call statement(auto_begin=inside_transaction) %}
      {{ hook.get('sql') }}
    {% endcall %}
  {% endfor %}
{%- endmacro %}

{% macro persist_docs(relation, model, for_relation=true, for_columns=true) -%}
{%- endmacro %}

{% macro apply_grants(relation, grant_config, should_revoke) -%}
{%- endmacro %}

{% macro should_revoke(existing_relation, full_refresh_mode=True) -%}
  {{ return(false) }}
{%- endmacro %}
