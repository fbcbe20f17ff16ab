name = 'corp'
version = '1.0'
def commands():
requires = ['foo']
