select id from a
{{ except() }}
select id from b
{{ dbt.intersect() }}
select id from c
