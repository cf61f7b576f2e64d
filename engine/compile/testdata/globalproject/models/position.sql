select {{ position("'b'", "'abc'") }} as a, {{ dbt.position(substring_text="'-'", string_text='code') }} as b
