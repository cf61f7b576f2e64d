create view "finhouse"."analytics"."fct_Loans__strata_tmp_0a1b2c3d" as (
select 1 as id
)
