name = 'corp'
version = '1.0'
requires = ['a']
requires = ['b']
name = 'other'
version = '2.0'
