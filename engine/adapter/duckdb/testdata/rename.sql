alter table "finhouse"."finhouse"."fct_Loans" rename to "fct_loans_old"
