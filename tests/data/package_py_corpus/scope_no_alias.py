name = 'corp'
version = '1.0'
with scope('config'):
    x = 1
requires = ['foo']
