select
    listagg(name, ',') as plain,
    listagg(name, '_|_') within group (order by position) as ordered,
    array_to_string(array_slice(array_agg(name) within group (order by position), 0, 2), '_|_') as limited,
    listagg(distinct name, ', ') as distinct_names
from people
group by team