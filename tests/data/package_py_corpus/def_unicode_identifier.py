name = 'corp'
version = '1.0'
def commands():
    café = 1
