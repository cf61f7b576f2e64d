create view "finhouse"."analytics"."fct_Loans__strata_tmp_99999999" as (
select * from stg_loans; -- trailing comment
)
