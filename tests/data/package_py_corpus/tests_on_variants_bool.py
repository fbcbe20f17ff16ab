name = 'x'
version = '1'
tests = {'unit': {'command': 'x', 'on_variants': False, 'custom_field': {'a': 1}}}
