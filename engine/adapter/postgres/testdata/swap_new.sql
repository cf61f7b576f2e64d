alter view "finhouse"."analytics"."fct_Loans__strata_tmp_0a1b2c3d" rename to "fct_Loans"
