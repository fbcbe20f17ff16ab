name = 'shotgrid_tools'
version = '2.4.1'

@early()
def requires():
    return ['python-3.7+<3.11', 'shotgun_api3-3.3+']
