select '{{ escape_single_quotes("they're") }}' as a,
    '{{ dbt.escape_single_quotes(expression="it's a 'test'") }}' as b
