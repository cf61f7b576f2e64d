-- One row per loan as of the reference date: what was repaid, what is outstanding, days
-- past due (from the oldest installment due and not fully paid) and its DPD bucket.
with installments as (
    select
        loan_id,
        count(*) as installments_total,
        sum(case when due_date <= {{ as_of_date() }} then 1 else 0 end) as installments_due,
        sum(case when fully_paid_date is not null then 1 else 0 end) as installments_paid,
        sum(case when fully_paid_date is not null then principal_component else 0 end) as principal_repaid,
        sum(case when fully_paid_date is null and due_date < {{ as_of_date() }} then due_amount - amount_paid else 0 end) as overdue_amount,
        min(case when fully_paid_date is null and due_date < {{ as_of_date() }} then due_date end) as oldest_unpaid_due_date,
        max(last_paid_date) as last_payment_date
    from {{ ref('int_loan_schedule_vs_payments') }}
    group by loan_id
),

loans as (
    select
        l.loan_id,
        l.customer_id,
        l.product,
        l.principal,
        l.annual_rate,
        l.tenure_months,
        l.disbursed_date,
        l.loan_status,
        cast(i.installments_total as integer) as installments_total,
        cast(i.installments_due as integer) as installments_due,
        cast(i.installments_paid as integer) as installments_paid,
        cast(i.principal_repaid as numeric(18, 2)) as principal_repaid,
        cast(case when l.loan_status = 'closed' then 0 else l.principal - i.principal_repaid end as numeric(18, 2)) as outstanding_principal,
        cast(i.overdue_amount as numeric(18, 2)) as overdue_amount,
        i.last_payment_date,
        case
            when i.oldest_unpaid_due_date is null then 0
            else {{ as_of_date() }} - i.oldest_unpaid_due_date
        end as days_past_due
    from {{ ref('stg_bank_loans') }} as l
    inner join installments as i
        on l.loan_id = i.loan_id
)

select
    *,
    case
        when days_past_due = 0 then '0'
        when days_past_due <= 30 then '1-30'
        when days_past_due <= 60 then '31-60'
        when days_past_due <= 90 then '61-90'
        else '90+'
    end as dpd_bucket,
    days_past_due > 30 as is_par30
from loans
