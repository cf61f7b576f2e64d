alter table "finhouse"."analytics"."fct_Loans__strata_tmp_99999999" rename to "fct_Loans"
