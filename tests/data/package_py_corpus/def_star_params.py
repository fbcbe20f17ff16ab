name = 'corp'
version = '1.0'
def helper(*args, **kwargs):
    pass
requires = ['foo']
