select now() as a,
    now() as b,
    current_timestamp::timestamp as c,
    (current_timestamp at time zone 'utc')::timestamp as d,
    now()::timestamp without time zone as e