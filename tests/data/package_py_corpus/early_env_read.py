import os
name = 'x'
version = '1'

@early()
def requires():
    return [os.environ.get('REQ', 'a')]
