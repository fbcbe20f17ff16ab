name = 'corp'
version = '1.0'
with scope('extra'):
    x = 1
requires = ['foo']
