{#- Series of numbers and dates: generate_series, date_spine and their
    helpers get_powers_of_two and get_intervals_between. -#}

{#- get_powers_of_two(upper_bound): the smallest n with 2**n >= upper_bound,
    so n cross-joined copies of a two-row table count up to upper_bound. -#}
{% macro get_powers_of_two(upper_bound) -%}
{{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}

{% macro default__get_powers_of_two(upper_bound) -%}
{%- if upper_bound <= 0 -%}
{{ exceptions.raise_compiler_error("get_powers_of_two: upper_bound must be positive, got " ~ upper_bound) }}
{%- endif -%}
{%- for n in range(1, 100) -%}
{%- if upper_bound <= 2 ** n -%}
{{ return(n) }}
{%- endif -%}
{%- endfor -%}
{{ exceptions.raise_compiler_error("get_powers_of_two: upper_bound " ~ upper_bound ~ " is too large") }}
{%- endmacro %}

{#- generate_series(upper_bound): a query returning one column,
    generated_number, holding 1, 2, …, upper_bound in order. -#}
{% macro generate_series(upper_bound) -%}
{{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}

{#- Portable form: bit i of (generated_number - 1) comes from the i-th copy
    of a table holding 0 and 1. -#}
{% macro default__generate_series(upper_bound) -%}
{%- set n = dbt.get_powers_of_two(upper_bound) -%}
with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    {%- for i in range(n) %}
        p{{ i }}.generated_number * power(2, {{ i }}) +
    {%- endfor %}
        1 as generated_number
    from
    {%- for i in range(n) %}
        p as p{{ i }}{% if not loop.last %} cross join{% endif %}
    {%- endfor %}
)
select *
from unioned
where generated_number <= {{ upper_bound }}
order by generated_number
{%- endmacro %}

{% macro duckdb__generate_series(upper_bound) -%}
select generate_series as generated_number
from generate_series(1, {{ upper_bound }})
{%- endmacro %}

{#- get_intervals_between(start_date, end_date, datepart): how many
    dateparts lie between the two dates, asked of the warehouse (datediff);
    1 while nothing can be queried (strata compile, or no connection), as
    in dbt's parse phase. -#}
{% macro get_intervals_between(start_date, end_date, datepart) -%}
{{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}

{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
{%- if not execute -%}
{{ return(1) }}
{%- endif -%}
{%- set result = run_query('select ' ~ dbt.datediff(start_date, end_date, datepart) ~ ' as intervals') -%}
{%- if result.rows | length > 0 and result.rows[0][0] is not none -%}
{{ return(result.rows[0][0] | int) }}
{%- endif -%}
{{ return(1) }}
{%- endmacro %}

{#- date_spine(datepart, start_date, end_date): one row per datepart from
    start_date up to, not including, end_date, in a column named
    date_<datepart> (date_day, date_month, …). -#}
{% macro date_spine(datepart, start_date, end_date) -%}
{{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_spine(datepart, start_date, end_date) -%}
with rawdata as (
    {{ dbt.generate_series(dbt.get_intervals_between(start_date, end_date, datepart)) | indent(4) }}
),

all_periods as (
    select (
        {{ dbt.dateadd(datepart, 'row_number() over (order by generated_number) - 1', start_date) }}
    ) as date_{{ datepart }}
    from rawdata
),

filtered as (
    select *
    from all_periods
    where date_{{ datepart }} <= {{ end_date }}
)

select * from filtered
{%- endmacro %}
