name = 'corp'
version = '1.0'
def commands() -> None:
    pass
requires = ['foo']
