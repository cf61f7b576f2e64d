select
    string_agg(name, ',') as plain,
    string_agg(name, '_|_' order by position) as ordered,
    list_aggr((array_agg(name order by position))[1:2], 'string_agg', '_|_') as limited,
    string_agg(distinct name, ', ') as distinct_names
from people
group by team