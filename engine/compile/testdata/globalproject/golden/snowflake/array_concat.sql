select array_cat(array_construct(1), array_construct(2, 3)) as a,
    array_cat(xs, ys) as b