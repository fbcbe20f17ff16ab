name = 'pipe_core'
version = '3.2.0'

@early()
def requires():
    return _common + ['pyside2']

_common = ['python-3.9', 'six']
