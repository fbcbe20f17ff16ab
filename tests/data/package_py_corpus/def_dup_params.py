name = 'corp'
version = '1.0'
def helper(a, a):
    pass
