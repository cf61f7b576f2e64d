insert into "finhouse"."analytics"."fct_Loans" ("loan_id", "Order", "amount")
select "loan_id", "Order", "amount" from "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d"
