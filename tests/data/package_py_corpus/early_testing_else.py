name = 'lookdev'
version = '1.0'

@early()
def private_build_requires():
    if testing:
        return ['pytest']
    else:
        return []
