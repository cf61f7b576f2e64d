create temporary table "pg_temp"."fct_Loans__strata_tmp_0a1b2c3d" ("loan_id" bigint, "Order" text, "amount" numeric(18,2))
