select array_cat(array[1], array[2, 3]) as a,
    array_cat(xs, ys) as b