merge into "finhouse"."analytics"."fct_Loans" as strata_target
using "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as strata_source
on (strata_source."loan_id" = strata_target."loan_id" and strata_source."Order" = strata_target."Order")
when not matched then insert ("loan_id", "Order") values (strata_source."loan_id", strata_source."Order")
