drop table if exists "FINHOUSE"."ANALYTICS"."FCT_LOANS"
