{#- Date arithmetic across warehouses: date, date_trunc, dateadd, datediff,
    last_day. Arguments are SQL expressions written as strings
    ("cast(x as date)", "'2024-01-31'", a column name) except datepart, a
    bare word such as day, week, month, quarter or year. -#}

{#- date(year, month, day): a date literal from three numbers (dbt 1.8). -#}
{% macro date(year, month, day) -%}
{{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{%- endmacro %}

{% macro default__date(year, month, day) -%}
to_date('{{ _iso_date(year, month, day) }}', 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__date(year, month, day) -%}
{%- do _iso_date(year, month, day) -%}
make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}

{#- _iso_date checks the three numbers make a calendar date (as Python's
    datetime.date does in dbt) and spells it YYYY-MM-DD. -#}
{% macro _iso_date(year, month, day) -%}
{%- if year is not number or month is not number or day is not number -%}
{{ exceptions.raise_compiler_error("date(year, month, day) takes three integers, got date(" ~ year ~ ", " ~ month ~ ", " ~ day ~ ")") }}
{%- endif -%}
{%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
{%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
{%- if year < 1 or year > 9999 or month < 1 or month > 12 or day < 1 or day > month_days[month - 1] -%}
{{ exceptions.raise_compiler_error("date(" ~ year ~ ", " ~ month ~ ", " ~ day ~ ") is not a calendar date") }}
{%- endif -%}
{{ return('%04d-%02d-%02d' % (year, month, day)) }}
{%- endmacro %}

{#- date_trunc(datepart, date): the start of the datepart holding date. -#}
{% macro date_trunc(datepart, date) -%}
{{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{%- endmacro %}

{% macro default__date_trunc(datepart, date) -%}
date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{#- dateadd(datepart, interval, from_date_or_timestamp): interval (a number
    or an expression, may be negative) dateparts after the date. -#}
{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
{{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}

{#- Snowflake's (and the SQL Server family's) dateadd(part, n, expr). -#}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{#- PostgreSQL has no dateadd: multiply a one-unit interval. Its intervals
    have no quarter unit, so a quarter is three months. The parentheses keep
    a following ::type or operator from binding to the interval alone. -#}
{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
{%- if datepart | lower == 'quarter' -%}
({{ from_date_or_timestamp }} + ((interval '3 month') * ({{ interval }})))
{%- else -%}
({{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }})))
{%- endif -%}
{%- endmacro %}

{#- DuckDB: an interval of one unit times a bigint, so the count may be any
    expression; quarter and week become 3 months and 7 days. -#}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
{%- set unit = datepart | lower -%}
{#- A bare string literal ('2018-01-01') has no type DuckDB can add an
    interval to; as on Snowflake, read it as a timestamp. -#}
{%- if from_date_or_timestamp is string and from_date_or_timestamp.strip().startswith("'") and from_date_or_timestamp.strip().endswith("'") -%}
{%- set from_date_or_timestamp = "cast(" ~ from_date_or_timestamp.strip() ~ " as timestamp)" -%}
{%- endif -%}
{%- if unit == 'quarter' -%}
({{ from_date_or_timestamp }} + (cast({{ interval }} as bigint) * 3) * interval 1 month)
{%- elif unit == 'week' -%}
({{ from_date_or_timestamp }} + (cast({{ interval }} as bigint) * 7) * interval 1 day)
{%- else -%}
({{ from_date_or_timestamp }} + cast({{ interval }} as bigint) * interval 1 {{ unit }})
{%- endif -%}
{%- endmacro %}

{#- datediff(first_date, second_date, datepart): how many datepart
    boundaries lie between the two (second minus first), as Snowflake's
    datediff counts them: 2024-12-31 to 2025-01-01 is one year. -#}
{% macro datediff(first_date, second_date, datepart) -%}
{{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{%- endmacro %}

{% macro default__datediff(first_date, second_date, datepart) -%}
datediff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}

{#- DuckDB's date_diff counts boundaries too, except for week, where it
    counts whole 7-day spans; weeks are therefore days / 7, corrected by the
    days of the week of both ends (weeks start on Sunday). -#}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
{%- if datepart | lower == 'week' -%}
({{ dbt.datediff(first_date, second_date, 'day') }} // 7 + {{ _week_correction(first_date, second_date) }})
{%- else -%}
(date_diff('{{ datepart }}', ({{ first_date }})::timestamp, ({{ second_date }})::timestamp))
{%- endif -%}
{%- endmacro %}

{#- PostgreSQL has no datediff: each part is built from date_part of both
    ends on top of the next larger part. -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
{%- set part = datepart | lower -%}
{%- set d1 = '(' ~ first_date ~ ')::date' -%}
{%- set d2 = '(' ~ second_date ~ ')::date' -%}
{%- set t1 = '(' ~ first_date ~ ')::timestamp' -%}
{%- set t2 = '(' ~ second_date ~ ')::timestamp' -%}
{%- if part == 'year' -%}
(date_part('year', {{ d2 }}) - date_part('year', {{ d1 }}))
{%- elif part == 'quarter' -%}
({{ dbt.datediff(first_date, second_date, 'year') }} * 4 + date_part('quarter', {{ d2 }}) - date_part('quarter', {{ d1 }}))
{%- elif part == 'month' -%}
({{ dbt.datediff(first_date, second_date, 'year') }} * 12 + date_part('month', {{ d2 }}) - date_part('month', {{ d1 }}))
{%- elif part == 'day' -%}
({{ d2 }} - {{ d1 }})
{%- elif part == 'week' -%}
({{ dbt.datediff(first_date, second_date, 'day') }} / 7 + {{ _week_correction(first_date, second_date) }})
{%- elif part == 'hour' -%}
({{ dbt.datediff(first_date, second_date, 'day') }} * 24 + date_part('hour', {{ t2 }}) - date_part('hour', {{ t1 }}))
{%- elif part == 'minute' -%}
({{ dbt.datediff(first_date, second_date, 'hour') }} * 60 + date_part('minute', {{ t2 }}) - date_part('minute', {{ t1 }}))
{%- elif part == 'second' -%}
({{ dbt.datediff(first_date, second_date, 'minute') }} * 60 + floor(date_part('second', {{ t2 }})) - floor(date_part('second', {{ t1 }})))
{%- elif part == 'millisecond' -%}
({{ dbt.datediff(first_date, second_date, 'minute') }} * 60000 + floor(date_part('millisecond', {{ t2 }})) - floor(date_part('millisecond', {{ t1 }})))
{%- elif part == 'microsecond' -%}
({{ dbt.datediff(first_date, second_date, 'minute') }} * 60000000 + floor(date_part('microsecond', {{ t2 }})) - floor(date_part('microsecond', {{ t1 }})))
{%- else -%}
{{ exceptions.raise_compiler_error("datediff on postgres does not support datepart '" ~ datepart ~ "': use year, quarter, month, week, day, hour, minute, second, millisecond or microsecond") }}
{%- endif -%}
{%- endmacro %}

{#- _week_correction turns (days // 7) into a count of week boundaries: one
    more when the second date's day of week comes earlier in the week than
    the first's (a Sunday was crossed), one less going backwards. -#}
{% macro _week_correction(first_date, second_date) -%}
case when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp) then (case when {{ first_date }} <= {{ second_date }} then 0 else -1 end) else (case when {{ first_date }} <= {{ second_date }} then 1 else 0 end) end
{%- endmacro %}

{#- last_day(date, datepart): the last day of the month, quarter or year
    holding date, as a date. -#}
{% macro last_day(date, datepart) -%}
{{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{%- endmacro %}

{#- default_last_day is dbt's shared body: truncate, add one datepart,
    step back a day. Adapter variants call it as dbt.default_last_day. -#}
{% macro default_last_day(date, datepart) -%}
cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
{%- endmacro %}

{% macro default__last_day(date, datepart) -%}
{{ dbt.default_last_day(date, datepart) }}
{%- endmacro %}

