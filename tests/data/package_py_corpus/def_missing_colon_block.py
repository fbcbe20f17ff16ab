name = 'corp'
version = '1.0'
def commands():
    if x
        pass
