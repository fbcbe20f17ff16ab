name = 'corp'
version = '1.0'
def commands():
    """Set up the env.

    multi-line
    """
    pass
requires = ['foo']
