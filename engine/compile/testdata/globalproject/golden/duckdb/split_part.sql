select string_split(parts, '|')[1] as first,
    string_split(parts, '|')[-1] as last,
    string_split(parts, '::')[-2] as second_last,
    string_split(parts, '|')[n] as nth