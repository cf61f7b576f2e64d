select {{ any_value('amount') }} as a, {{ dbt.any_value(expression='amount') }} as b
from payments
