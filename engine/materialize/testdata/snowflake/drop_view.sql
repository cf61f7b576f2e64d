drop view if exists "FINHOUSE"."ANALYTICS"."FCT_LOANS"
