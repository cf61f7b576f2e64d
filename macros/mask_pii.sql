{#-
  mask_pii(column, kind): the one place personal data is masked. Every staging model that
  exposes a customer's name, mobile number, email or PAN selects it through this macro, so
  no raw PII leaves the raw schema.
    mobile  9876543221        -> 98******21
    email   anika@example.com -> a***@example.com
    pan     ABCDE1234F        -> ABCDE****F
    name    Anika Bose        -> Anika B.
-#}
{% macro mask_pii(column, kind) %}
    {#- Cast first: extracts often type a mobile number as an integer. -#}
    {%- set column = 'cast(' ~ column ~ ' as varchar)' -%}
    {%- if kind == 'mobile' -%}
        (substr({{ column }}, 1, 2) || '******' || substr({{ column }}, length({{ column }}) - 1, 2))
    {%- elif kind == 'email' -%}
        (substr({{ column }}, 1, 1) || '***' || substr({{ column }}, strpos({{ column }}, '@')))
    {%- elif kind == 'pan' -%}
        (substr({{ column }}, 1, 5) || '****' || substr({{ column }}, 10, 1))
    {%- elif kind == 'name' -%}
        (split_part({{ column }}, ' ', 1) || ' ' || substr(split_part({{ column }}, ' ', 2), 1, 1) || '.')
    {%- else -%}
        {{ exceptions.raise_compiler_error("mask_pii: unknown kind '" ~ kind ~ "' (use mobile, email, pan or name)") }}
    {%- endif -%}
{% endmacro %}
