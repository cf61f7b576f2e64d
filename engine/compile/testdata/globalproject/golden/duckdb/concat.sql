select first_name || ' ' || last_name as a,
    'x' || y as b