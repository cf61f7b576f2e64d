create table "finhouse"."analytics"."fct_Loans" ("loan_id" bigint not null constraint "pk_loans" primary key, "amount" numeric(18,2) check (amount >= 0), "user_id" bigint, unique ("loan_id", "amount"), check (user_id > 0))
-- warning: the foreign_key constraint is not supported by duckdb and was not created (set warn_unsupported: false on it to silence this)
