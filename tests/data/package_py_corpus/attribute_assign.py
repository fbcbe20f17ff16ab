name = 'corp'
version = '1.0'
x = 1
x.y = 2
