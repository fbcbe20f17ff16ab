name = 'corp'
version = '1.0'
def commands():
    # just a comment

    pass
# trailing
requires = ['foo']
