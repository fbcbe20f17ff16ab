name = 'corp'
version = '1.0'
extra = {'a': 1, ('b', 2): [3], 4: None,}
requires = ['foo']
