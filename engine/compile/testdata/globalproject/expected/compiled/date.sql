select to_date('2024-02-29', 'YYYY-MM-DD') as a,
    to_date('1999-12-31', 'YYYY-MM-DD') as b,
    to_date('2024-01-05', 'YYYY-MM-DD') as c