select {{ current_timestamp() }} as a,
    {{ dbt.current_timestamp() }} as b,
    {{ current_timestamp_backcompat() }} as c,
    {{ current_timestamp_in_utc_backcompat() }} as d,
    {{ snapshot_get_time() }} as e
