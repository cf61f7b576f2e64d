{#- to_paise(amount): rupees (number or text with two decimals) to integer paise. -#}
{% macro to_paise(amount) -%}
    cast(round(cast({{ amount }} as numeric(18, 2)) * 100) as bigint)
{%- endmacro %}

{#- safe_ratio(numerator, denominator, scale=4): a decimal ratio, null when the denominator is 0. -#}
{% macro safe_ratio(numerator, denominator, scale=4) -%}
    cast(cast({{ numerator }} as numeric(18, 6)) / nullif(cast({{ denominator }} as numeric(18, 6)), 0) as numeric(18, {{ scale }}))
{%- endmacro %}

{#- surrogate_key(columns): one text key from several columns ('|'-separated, nulls as ''). -#}
{% macro surrogate_key(columns) -%}
    {%- for c in columns -%}
        coalesce(cast({{ c }} as varchar), '')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor -%}
{%- endmacro %}
