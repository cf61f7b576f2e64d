-- The running balance after a statement's last line is the statement's closing balance.
with last_lines as (
    select
        statement_id,
        running_balance,
        row_number() over (partition by statement_id order by transaction_at desc, transaction_id desc) as line_rank
    from {{ ref('fct_statement_lines') }}
)

select
    s.statement_id,
    s.closing_balance,
    l.running_balance
from {{ ref('fct_monthly_statements') }} as s
inner join last_lines as l
    on s.statement_id = l.statement_id
    and l.line_rank = 1
where s.closing_balance <> l.running_balance
