-- A transaction the gateway marks settled, or that the mart calls SETTLED, has a batch.
select
    transaction_id,
    is_settled,
    settlement_state,
    batch_id
from {{ ref('fct_settlements') }}
where not is_deleted
    and (is_settled or settlement_state = 'SETTLED')
    and batch_id is null
