name = 'x'
version = '1'

@early()
def tools():
    return ['a']

@early()
def requires():
    return this.tools
