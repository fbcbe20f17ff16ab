name = 'corp'
version = '1.0'
def helper(x=print('hi')):
    pass
