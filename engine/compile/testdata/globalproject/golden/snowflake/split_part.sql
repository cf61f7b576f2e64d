select split_part(parts, '|', 1) as first,
    split_part(parts, '|', -1) as last,
    split_part(parts, '::', -2) as second_last,
    split_part(parts, '|', n) as nth