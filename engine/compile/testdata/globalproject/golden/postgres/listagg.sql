select
    string_agg(name, ',') as plain,
    string_agg(name, '_|_' order by position) as ordered,
    array_to_string((array_agg(name order by position))[1:2], '_|_') as limited,
    string_agg(distinct name, ', ') as distinct_names
from people
group by team