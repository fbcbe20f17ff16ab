name = 'corp'
version = '1.0'
requires = [b'foo']
