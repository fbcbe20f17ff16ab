name = 'corp'
version = '1.0'
@late()
def requires():
    return ['foo']
