name = 'corp'
version = '1.0'
def pre_commands():
    pass
def commands():
    pass
def post_commands():
    pass
def pre_build_commands():
    pass
def pre_test_commands():
    pass
requires = ['foo']
