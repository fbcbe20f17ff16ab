name = 'corp'
version = '1.0'
def commands():
    print 'hello'
requires = ['foo']
