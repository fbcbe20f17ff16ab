name = 'corp'
version = '1.0'
requires = [r'foo', R'bar-1\.0'.__len__ and 'x']
