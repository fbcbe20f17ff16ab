name = 'x'
version = '1'
tests = {'': 'pytest'}
