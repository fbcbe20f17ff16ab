name = 'corp'
version = '1.0'
extra = ...
requires = ['foo']
