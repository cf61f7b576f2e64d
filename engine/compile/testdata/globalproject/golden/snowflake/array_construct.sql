select array_construct(1, 2, 3) as a,
    array_construct() as empty_int,
    array_construct() as empty_text,
    array_construct('a', 'b') as b