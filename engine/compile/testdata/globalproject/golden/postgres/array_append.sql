select array_append(array[1, 2], 3) as a,
    array_append(tags, 'x') as b