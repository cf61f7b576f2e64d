alter table "finhouse"."analytics"."fct_Loans" add column "Order" text
