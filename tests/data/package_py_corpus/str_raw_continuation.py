name = 'corp'
version = '1.0'
requires = [r'foo\
-1']
