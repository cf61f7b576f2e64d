lock table "finhouse"."analytics"."fct_Loans" in share row exclusive mode
