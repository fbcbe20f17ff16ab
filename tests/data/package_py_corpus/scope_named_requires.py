name = 'corp'
version = '1.0'
with scope('requires'):
    x = 1
