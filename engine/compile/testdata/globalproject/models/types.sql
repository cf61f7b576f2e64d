select
    cast(a as {{ type_string() }}) as s,
    cast(b as {{ type_timestamp() }}) as ts,
    cast(c as {{ type_float() }}) as f,
    cast(d as {{ type_numeric() }}) as n,
    cast(e as {{ type_bigint() }}) as bi,
    cast(f as {{ type_int() }}) as i,
    cast(g as {{ dbt.type_boolean() }}) as b
