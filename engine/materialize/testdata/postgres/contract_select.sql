select "loan_id", "amount", "user_id" from (
select * from stg_loans; -- trailing comment

) as model_subq
