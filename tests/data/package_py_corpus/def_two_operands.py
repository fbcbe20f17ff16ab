name = 'corp'
version = '1.0'
def commands():
    x = y z
