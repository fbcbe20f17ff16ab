name = 'corp'
version = '1.0'
a, b = 'x', 'y'
