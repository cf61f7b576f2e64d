drop view if exists "finhouse"."analytics"."fct_Loans" cascade
