create temp table "fct_Loans__strata_tmp_0a1b2c3d" ("loan_id" BIGINT, "Order" VARCHAR, "amount" DECIMAL(18,2))
