name = 'corp'
version = '1.0'
@early()
def requires():
    return ['foo']
