select
    cast(a as TEXT) as s,
    cast(b as timestamp) as ts,
    cast(c as float) as f,
    cast(d as numeric(28,6)) as n,
    cast(e as bigint) as bi,
    cast(f as integer) as i,
    cast(g as boolean) as b