name = 'corp'
version = '1.0'
x = 1
del x
