name = 'corp'
version = '1.0'
requires = [x for x in ['a']]
