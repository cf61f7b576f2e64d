select 'they''re' as a,
    'it''s a ''test''' as b