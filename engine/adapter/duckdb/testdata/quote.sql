"we""ird" "s"."t"
