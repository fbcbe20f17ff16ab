name = 'corp'
version = '1.0'
def _helper(a, b,):
    return a + b
requires = ['foo']
