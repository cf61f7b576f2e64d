select {{ cast_bool_to_text('1 = 1') }} as a, {{ dbt.cast_bool_to_text(field='is_late') }} as b
