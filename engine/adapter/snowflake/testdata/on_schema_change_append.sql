alter table "ANALYTICS"."FINHOUSE"."FCT_LOANS" add column "Order" VARCHAR(16777216);
alter table "ANALYTICS"."FINHOUSE"."FCT_LOANS" add column "AMOUNT" NUMBER(18,2)
