name = 'studio_icons'

@early()
def version():
    return '1.4.2'
