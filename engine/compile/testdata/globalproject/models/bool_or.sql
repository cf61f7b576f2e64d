select {{ bool_or('amount > 10') }} as a, {{ dbt.bool_or(expression='is_late') }} as b
from payments
