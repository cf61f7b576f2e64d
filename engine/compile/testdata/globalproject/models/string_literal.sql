select {{ string_literal('abc') }} as a, {{ dbt.string_literal(value=escape_single_quotes("o'brien")) }} as b
