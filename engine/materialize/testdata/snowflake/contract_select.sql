select "LOAN_ID", "AMOUNT", "USER_ID" from (
select * from stg_loans; -- trailing comment

) as model_subq
