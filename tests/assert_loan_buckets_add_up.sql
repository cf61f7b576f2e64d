-- The DPD buckets of the portfolio mart add up to its outstanding principal, PAR30 is the
-- sum of the buckets past 30 days, and the 'all' row is the sum of the products.
with book as (
    select *
    from {{ ref('rpt_loan_portfolio_quality') }}
),

products as (
    select sum(outstanding_principal) as outstanding_principal
    from book
    where product <> 'all'
)

select product, 'buckets' as failed_check
from book
where outstanding_principal <> outstanding_dpd_0 + outstanding_dpd_1_30 + outstanding_dpd_31_60
    + outstanding_dpd_61_90 + outstanding_dpd_90_plus
union all
select product, 'par30' as failed_check
from book
where par30_outstanding <> outstanding_dpd_31_60 + outstanding_dpd_61_90 + outstanding_dpd_90_plus
union all
select b.product, 'all' as failed_check
from book as b
cross join products as p
where b.product = 'all'
    and b.outstanding_principal <> p.outstanding_principal
