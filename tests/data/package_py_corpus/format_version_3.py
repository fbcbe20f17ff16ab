name = 'corp'
version = '1.0'
format_version = 3
requires = ['foo']
