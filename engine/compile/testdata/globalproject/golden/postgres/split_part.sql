select split_part(parts, '|', 1) as first,
    split_part(parts, '|', (length(parts) - length(replace(parts, '|', ''))) / greatest(length('|'), 1) + 2 + (-1)) as last,
    split_part(parts, '::', (length(parts) - length(replace(parts, '::', ''))) / greatest(length('::'), 1) + 2 + (-2)) as second_last,
    split_part(parts, '|', n) as nth