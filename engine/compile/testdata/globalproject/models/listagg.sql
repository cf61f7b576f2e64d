select
    {{ listagg('name') }} as plain,
    {{ listagg('name', "'_|_'", 'order by position') }} as ordered,
    {{ listagg('name', "'_|_'", 'order by position', 2) }} as limited,
    {{ dbt.listagg(measure='distinct name', delimiter_text="', '") }} as distinct_names
from people
group by team
