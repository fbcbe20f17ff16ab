name = 'corp'
version = '1.0'
'''doc'''
42
...
requires = ['foo']
