alter view "finhouse"."analytics"."fct_Loans" rename to "fct_Loans__strata_tmp_99999999";
alter table "finhouse"."analytics"."fct_Loans__strata_tmp_0a1b2c3d" rename to "fct_Loans";
drop view if exists "finhouse"."analytics"."fct_Loans__strata_tmp_99999999" cascade
