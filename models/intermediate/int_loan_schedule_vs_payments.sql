-- Each installment of each loan against what was paid for it, as of the reference date:
-- when it was fully paid (the payment that brought the running total to the amount due),
-- how late, and whether it is overdue now.
with payments as (
    select
        repayment_id,
        paid_date,
        amount,
        sum(amount) over (
            partition by repayment_id order by paid_at, payment_id
            rows between unbounded preceding and current row
        ) as paid_to_date
    from {{ ref('stg_bank_loan_payments') }}
    where paid_date <= {{ as_of_date() }}
),

schedule as (
    select *
    from {{ ref('stg_bank_repayments') }}
),

settled as (
    select
        s.repayment_id,
        min(case when p.paid_to_date >= s.due_amount then p.paid_date end) as fully_paid_date,
        max(p.paid_date) as last_paid_date,
        coalesce(sum(p.amount), 0) as amount_paid
    from schedule as s
    left join payments as p
        on s.repayment_id = p.repayment_id
    group by s.repayment_id
)

select
    s.repayment_id,
    s.loan_id,
    s.installment_no,
    s.due_date,
    s.due_amount,
    s.principal_component,
    s.interest_component,
    cast(x.amount_paid as numeric(18, 2)) as amount_paid,
    x.last_paid_date,
    x.fully_paid_date,
    case
        when x.fully_paid_date is not null then greatest(x.fully_paid_date - s.due_date, 0)
        when s.due_date < {{ as_of_date() }} then {{ as_of_date() }} - s.due_date
        else 0
    end as days_late,
    case
        when x.fully_paid_date is not null and x.fully_paid_date <= s.due_date then 'PAID_ON_TIME'
        when x.fully_paid_date is not null then 'PAID_LATE'
        when s.due_date >= {{ as_of_date() }} then 'NOT_DUE'
        when x.amount_paid > 0 then 'PARTIALLY_PAID'
        else 'OVERDUE'
    end as installment_status
from schedule as s
inner join settled as x
    on s.repayment_id = x.repayment_id
