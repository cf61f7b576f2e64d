delete from "finhouse"."analytics"."fct_Loans" as strata_target
where exists (select 1 from "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source where strata_source."loan_id" = strata_target."loan_id" and strata_source."Order" = strata_target."Order")
