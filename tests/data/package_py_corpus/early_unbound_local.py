name = 'x'
version = '1'
reqs = ['a']

@early()
def requires():
    if building:
        reqs = ['b']
    return reqs
