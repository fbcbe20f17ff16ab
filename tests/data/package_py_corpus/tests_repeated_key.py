name = 'x'
version = '1'
tests = {'unit': None, 'unit': 'pytest'}
