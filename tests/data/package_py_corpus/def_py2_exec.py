name = 'corp'
version = '1.0'
def commands():
    exec 'x = 1'
