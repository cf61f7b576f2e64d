select id from a
intersect
select id from b