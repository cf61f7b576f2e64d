select {{ split_part('parts', "'|'", 1) }} as first,
    {{ split_part('parts', "'|'", -1) }} as last,
    {{ dbt.split_part(string_text='parts', delimiter_text="'::'", part_number=-2) }} as second_last,
    {{ split_part('parts', "'|'", 'n') }} as nth
