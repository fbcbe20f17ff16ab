name = 'corp'
version = '1.0'
requires = ['a']
def requires():
    return ['b']
