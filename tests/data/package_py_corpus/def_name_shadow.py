name = 'corp'
version = '1.0'
def version():
    return '2'
