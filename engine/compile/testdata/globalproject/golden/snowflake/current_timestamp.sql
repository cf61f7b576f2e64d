select convert_timezone('UTC', current_timestamp()) as a,
    convert_timezone('UTC', current_timestamp()) as b,
    current_timestamp::timestamp as c,
    convert_timezone('UTC', current_timestamp::timestamp)::timestamp as d,
    to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as e