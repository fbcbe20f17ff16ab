name = 'x'
version = '1'

@early()
def requires():
    if 'a' == 'a' == 'a':
        return ['a']
    return []
