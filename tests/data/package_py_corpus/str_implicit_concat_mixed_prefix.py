name = 'corp'
version = '1.0'
requires = [u'foo' r'-' f'1' F"" 'x']
