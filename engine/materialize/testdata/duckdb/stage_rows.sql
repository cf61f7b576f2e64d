create temp table "temp"."main"."fct_Loans__strata_tmp_0a1b2c3d" as (
select * from stg_loans; -- trailing comment
)
