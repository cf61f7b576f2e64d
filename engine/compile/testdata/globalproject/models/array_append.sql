select {{ array_append(array_construct(['1', '2']), '3') }} as a,
    {{ dbt.array_append(array='tags', new_element="'x'") }} as b
