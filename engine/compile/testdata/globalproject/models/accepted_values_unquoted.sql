{{ test_accepted_values(model='payments', column_name='amount', values=[10, 20], quote=false) }}
