select boolor_agg(amount > 10) as a, boolor_agg(is_late) as b
from payments