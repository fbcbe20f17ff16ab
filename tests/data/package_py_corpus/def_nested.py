name = 'corp'
version = '1.0'
def commands():
    def inner():
        return [i for i in range(3) if i]
    @decorated
    class K(object):
        pass
    with open('x') as f:
        pass
    while False:
        break
    return inner
requires = ['foo']
