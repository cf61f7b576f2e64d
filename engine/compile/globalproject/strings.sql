{#- String functions across warehouses. Arguments are SQL expressions written
    as strings: a column name, or a literal with its quotes ("'-'"). -#}

{#- concat(fields): the fields (a list of expressions) joined with ||. -#}
{% macro concat(fields) -%}
{{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
{%- endmacro %}

{% macro default__concat(fields) -%}
{{ fields | join(' || ') }}
{%- endmacro %}

{#- hash(field): the md5 of the field as text, as 32 hex digits. -#}
{% macro hash(field) -%}
{{ return(adapter.dispatch('hash', 'dbt')(field)) }}
{%- endmacro %}

{% macro default__hash(field) -%}
md5(cast({{ field }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro length(expression) -%}
{{ return(adapter.dispatch('length', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__length(expression) -%}
length({{ expression }})
{%- endmacro %}

{#- position(substring_text, string_text): where substring_text first occurs
    in string_text, from 1; 0 when it does not. -#}
{% macro position(substring_text, string_text) -%}
{{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
{%- endmacro %}

{% macro default__position(substring_text, string_text) -%}
position({{ substring_text }} in {{ string_text }})
{%- endmacro %}

{% macro replace(field, old_chars, new_chars) -%}
{{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
{%- endmacro %}

{% macro default__replace(field, old_chars, new_chars) -%}
replace({{ field }}, {{ old_chars }}, {{ new_chars }})
{%- endmacro %}

{#- right(string_text, length_expression): the last length_expression
    characters. -#}
{% macro right(string_text, length_expression) -%}
{{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
{%- endmacro %}

{% macro default__right(string_text, length_expression) -%}
right({{ string_text }}, {{ length_expression }})
{%- endmacro %}

{#- On Snowflake, dbt spells out that zero characters give ''. -#}
{% macro snowflake__right(string_text, length_expression) -%}
case when {{ length_expression }} = 0 then '' else right({{ string_text }}, {{ length_expression }}) end
{%- endmacro %}

{#- split_part(string_text, delimiter_text, part_number): the part_number-th
    piece (from 1) of string_text split on delimiter_text; a negative
    part_number counts from the end (-1 is the last piece). -#}
{% macro split_part(string_text, delimiter_text, part_number) -%}
{{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}
{%- endmacro %}

{#- Snowflake's split_part counts negative parts from the end itself. -#}
{% macro default__split_part(string_text, delimiter_text, part_number) -%}
split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- _split_part_negative turns a negative part into a positive one: the
    number of pieces is the number of delimiters (the length lost by
    removing them, over the delimiter's length) plus one. -#}
{% macro _split_part_negative(string_text, delimiter_text, part_number) -%}
split_part({{ string_text }}, {{ delimiter_text }}, (length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, ''))) / greatest(length({{ delimiter_text }}), 1) + 2 + ({{ part_number }}))
{%- endmacro %}

{#- PostgreSQL before 14 rejects negative parts. -#}
{% macro postgres__split_part(string_text, delimiter_text, part_number) -%}
{%- if part_number is number and part_number < 0 -%}
{{ _split_part_negative(string_text, delimiter_text, part_number) }}
{%- else -%}
{{ dbt.default__split_part(string_text, delimiter_text, part_number) }}
{%- endif -%}
{%- endmacro %}

{#- DuckDB: index the list string_split makes; a negative index counts from
    the end. -#}
{% macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
string_split({{ string_text }}, {{ delimiter_text }})[{{ part_number }}]
{%- endmacro %}

{#- string_literal(value): value as a single-quoted SQL string, as written
    (escape quotes inside it with escape_single_quotes first). -#}
{% macro string_literal(value) -%}
{{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
'{{ value }}'
{%- endmacro %}

{#- escape_single_quotes(expression): the text made safe to place between
    single quotes: they're -> they''re (Snowflake: they\'re). -#}
{% macro escape_single_quotes(expression) -%}
{{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__escape_single_quotes(expression) -%}
{{ expression | replace("'", "''") }}
{%- endmacro %}

{% macro snowflake__escape_single_quotes(expression) -%}
{{ expression | replace("'", "\\'") }}
{%- endmacro %}

{#- cast_bool_to_text(field): true/false as the text 'true'/'false'. -#}
{% macro cast_bool_to_text(field) -%}
{{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}
{%- endmacro %}

{% macro default__cast_bool_to_text(field) -%}
cast({{ field }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- listagg(measure, delimiter_text, order_by_clause, limit_num): the
    measure of a group's rows joined with delimiter_text (a SQL literal,
    default ','), ordered by order_by_clause (e.g. "order by x"), keeping
    the first limit_num when given. -#}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
{{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}

{#- Snowflake: listagg … within group; with a limit, slice the ordered
    array_agg (array_slice counts from 0, the end excluded). -#}
{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}
array_to_string(array_slice(array_agg({{ measure }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}, 0, {{ limit_num }}), {{ delimiter_text }})
{%- else -%}
listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endif -%}
{%- endmacro %}

{#- PostgreSQL: string_agg with the order inside; with a limit, slice the
    ordered array_agg (1-based, both ends included). -#}
{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}
array_to_string((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], {{ delimiter_text }})
{%- else -%}
string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endif -%}
{%- endmacro %}

{#- DuckDB: as PostgreSQL, joining the sliced list with list_aggr. -#}
{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}
list_aggr((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], 'string_agg', {{ delimiter_text }})
{%- else -%}
string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endif -%}
{%- endmacro %}
