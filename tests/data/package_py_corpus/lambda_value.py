name = 'corp'
version = '1.0'
x = lambda: 1
