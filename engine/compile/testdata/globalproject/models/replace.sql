select {{ replace('phone', "'-'", "''") }} as a, {{ dbt.replace(field='name', old_chars="'a'", new_chars="'b'") }} as b
