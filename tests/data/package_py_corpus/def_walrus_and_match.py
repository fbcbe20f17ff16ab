name = 'corp'
version = '1.0'
def commands():
    if (n := 1):
        pass
    match n:
        case 1:
            pass
        case _:
            pass
requires = ['foo']
