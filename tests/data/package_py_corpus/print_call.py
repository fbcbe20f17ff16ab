name = 'corp'
version = '1.0'
print('hello')
