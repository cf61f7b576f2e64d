select arbitrary(amount) as a, arbitrary(amount) as b
from payments