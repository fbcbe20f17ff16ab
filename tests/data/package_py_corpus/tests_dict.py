name = 'corp'
version = '1.0'
tests = {'unit': 'python -m pytest'}
