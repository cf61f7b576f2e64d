select now() as a,
    now() as b,
    current_timestamp::timestamp as c,
    current_timestamp::timestamp as d,
    now()::timestamp as e