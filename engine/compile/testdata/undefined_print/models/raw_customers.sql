select 1 as id, 'acme' as name, 'north' as region
