select current_timestamp as a,
    current_timestamp as b,
    current_timestamp::timestamp as c,
    current_timestamp::timestamp as d,
    current_timestamp as e