drop table if exists "ANALYTICS"."FINHOUSE"."FCT_LOANS"
