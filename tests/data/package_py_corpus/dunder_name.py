name = 'corp'
version = '1.0'
__private = 5
__version__ = [1]
requires = ['foo']
