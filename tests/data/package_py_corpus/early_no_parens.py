name = 'x'
version = '1'

@early
def requires():
    return []
