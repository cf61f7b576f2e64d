select min(amount) as a, min(amount) as b
from payments