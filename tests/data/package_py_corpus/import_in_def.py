name = 'corp'
version = '1.0'
def commands():
    import os
    env.X = os.sep
requires = ['foo']
