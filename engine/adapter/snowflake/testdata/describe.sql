describe table "ANALYTICS"."FINHOUSE"."FCT_LOANS"
