name = 'corp'
version = '1.0'
requires = ['foo']