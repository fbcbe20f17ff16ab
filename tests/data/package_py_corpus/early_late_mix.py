name = 'x'
version = '1'

@early()
def requires():
    return ['a']

@late()
def tools():
    return ['b']
