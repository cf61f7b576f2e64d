alter table "finhouse"."analytics"."fct_Loans" add column "Order" text, add column "amount" numeric(18,2)
