lock table "finhouse"."analytics"."fct_Loans" in access exclusive mode
