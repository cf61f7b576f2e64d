drop table if exists "finhouse"."analytics"."fct_Loans"
