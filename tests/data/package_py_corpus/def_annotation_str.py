name = 'corp'
version = '1.0'
def commands() -> str:
    pass
