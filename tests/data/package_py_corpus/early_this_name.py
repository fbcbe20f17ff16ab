name = 'cfg_houdini'
version = '19.5.0'

@early()
def uuid():
    return 'repository.' + this.name

@early()
def description():
    return '%s config, version %s' % (this.name, this.version)
