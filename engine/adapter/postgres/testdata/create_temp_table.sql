create temporary table "fct_Loans__strata_tmp_0a1b2c3d" on commit drop as (
select * from src
)
