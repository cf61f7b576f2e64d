alter table "finhouse"."finhouse"."fct_Loans" add column "Order" VARCHAR;
alter table "finhouse"."finhouse"."fct_Loans" add column "amount" DECIMAL(18,2)
