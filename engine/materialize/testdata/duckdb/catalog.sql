select t.table_schema, t.table_name, t.table_type, null as owner, t.table_comment,
  c.column_name, c.data_type, c.ordinal_position, c.column_comment
from information_schema.tables t
join information_schema.columns c
  on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema and c.table_name = t.table_name
where t.table_catalog = 'finhouse' and t.table_schema = 'analytics'
order by t.table_name, c.ordinal_position
