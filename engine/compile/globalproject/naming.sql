{#- Where a node is built: its database, schema and alias. A project that
    defines generate_database_name, generate_schema_name or
    generate_alias_name (or their default__ variants) replaces these rules;
    its own macros can call the ones below, including
    generate_schema_name_for_env. The rules match strata's built-in ones
    (finish.go, resolveRelation). -#}

{#- generate_schema_name: the target's schema, or <target schema>_<custom
    schema> when the node sets schema. -#}
{% macro generate_schema_name(custom_schema_name=none, node=none) -%}
{{ return(adapter.dispatch('generate_schema_name', 'dbt')(custom_schema_name, node)) }}
{%- endmacro %}

{% macro default__generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}
{{ target.schema }}
{%- else -%}
{{ target.schema }}_{{ custom_schema_name | trim }}
{%- endif -%}
{%- endmacro %}

{#- generate_schema_name_for_env: the custom schema alone on the target named
    prod, the target's schema everywhere else. -#}
{% macro generate_schema_name_for_env(custom_schema_name, node) -%}
{%- if target.name == 'prod' and custom_schema_name is not none -%}
{{ custom_schema_name | trim }}
{%- else -%}
{{ target.schema }}
{%- endif -%}
{%- endmacro %}

{#- generate_database_name: the target's database unless the node sets one. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
{{ return(adapter.dispatch('generate_database_name', 'dbt')(custom_database_name, node)) }}
{%- endmacro %}

{% macro default__generate_database_name(custom_database_name=none, node=none) -%}
{%- if custom_database_name is none -%}
{{ target.database }}
{%- else -%}
{{ custom_database_name }}
{%- endif -%}
{%- endmacro %}

{#- generate_alias_name: the node's alias when set, else its name (with _v<n>
    for a versioned model). -#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
{{ return(adapter.dispatch('generate_alias_name', 'dbt')(custom_alias_name, node)) }}
{%- endmacro %}

{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
{%- if custom_alias_name -%}
{{ custom_alias_name | trim }}
{%- elif node.version -%}
{{ node.name }}_v{{ node.version | string | replace('.', '_') }}
{%- else -%}
{{ node.name }}
{%- endif -%}
{%- endmacro %}
