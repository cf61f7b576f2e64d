select any_value(amount) as a, any_value(amount) as b
from payments