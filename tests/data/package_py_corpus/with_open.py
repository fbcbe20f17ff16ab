name = 'corp'
version = '1.0'
with open('x') as f:
    pass
