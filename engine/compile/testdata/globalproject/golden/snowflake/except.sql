select id from a
except
select id from b
intersect
select id from c