{{ test_accepted_values('payments', 'status', ['paid', "it's", 'back\\slash', 10]) }}
