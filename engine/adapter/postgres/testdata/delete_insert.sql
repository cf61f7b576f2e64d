delete from "finhouse"."analytics"."fct_Loans" as strata_target
using "fct_Loans__strata_tmp_0a1b2c3d" as strata_source
where strata_source."loan_id" = strata_target."loan_id" and strata_source."Order" = strata_target."Order";
insert into "finhouse"."analytics"."fct_Loans" ("loan_id", "Order", "amount")
select "loan_id", "Order", "amount" from "fct_Loans__strata_tmp_0a1b2c3d"
