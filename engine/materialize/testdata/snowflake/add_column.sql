alter table "FINHOUSE"."ANALYTICS"."FCT_LOANS" add column "Order" text
