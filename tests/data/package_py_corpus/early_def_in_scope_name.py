name = 'x'
version = '1'

@early()
def early():
    return 1
