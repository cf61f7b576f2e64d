"we""ird" 'it''s' "My Schema"."T"
