select {{ array_concat(array_construct(['1']), array_construct(['2', '3'])) }} as a,
    {{ dbt.array_concat(array_1='xs', array_2='ys') }} as b
