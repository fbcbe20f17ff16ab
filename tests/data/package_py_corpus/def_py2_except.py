name = 'corp'
version = '1.0'
def commands():
    try:
        pass
    except Exception, e:
        pass
