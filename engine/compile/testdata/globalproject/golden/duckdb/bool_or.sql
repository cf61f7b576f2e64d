select bool_or(amount > 10) as a, bool_or(is_late) as b
from payments