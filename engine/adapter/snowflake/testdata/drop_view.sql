drop view if exists "ANALYTICS"."FINHOUSE"."FCT_LOANS"
