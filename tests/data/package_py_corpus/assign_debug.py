name = 'corp'
version = '1.0'
__debug__ = 1
