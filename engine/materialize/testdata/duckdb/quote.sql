"we""ird" 'it''s' "My Schema"."t"
