select array[1, 2, 3] as a,
    array[]::integer[] as empty_int,
    array[]::TEXT[] as empty_text,
    array['a', 'b'] as b