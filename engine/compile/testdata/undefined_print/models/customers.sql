{% set wanted_name = 'acme' %}
{% set limits = {'rows': 10} %}
select *
from {{ ref('raw_customers') }}
where name = '{{ wanted_nam }}'
  and {{ region_filter() }}
limit {{ limits.row }}
