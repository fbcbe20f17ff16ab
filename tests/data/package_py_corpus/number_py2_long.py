name = 'corp'
version = '1.0'
x = 10L
