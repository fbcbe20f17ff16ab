name = 'x'
version = '1'

with scope('config') as c:
    c.a = 1

@early()
def requires():
    return this.config
