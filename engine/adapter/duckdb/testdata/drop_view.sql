drop view if exists "finhouse"."finhouse"."fct_Loans"
