name = 'corp'
version = '1.0'
n = 'config'
with scope(n):
    pass
