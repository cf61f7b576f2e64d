{#- Undefined values that are tested, defaulted or looked up do not warn. -#}
{% set cfg = {'a': 1} %}
select
    '{{ maybe if maybe is defined else "none" }}' as a,
    '{{ nope | default("d") }}' as b,
    '{{ cfg.get("zzz", "g") }}' as c,
    '{{ var("x", "v") }}' as d,
    '{{ config.get("nothing", "") }}' as e{{ "," if false }}
from {{ ref('customers') }}
where {{ region_filter() }}
