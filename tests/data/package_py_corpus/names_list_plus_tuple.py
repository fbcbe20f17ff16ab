name = 'x'
version = '1'
requires = ['a'] + ('b',)
