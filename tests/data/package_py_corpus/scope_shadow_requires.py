name = 'corp'
version = '1.0'
requires = ['a']
with scope('config'):
    requires = ['b']
