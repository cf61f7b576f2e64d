drop table if exists "finhouse"."finhouse"."fct_Loans"
