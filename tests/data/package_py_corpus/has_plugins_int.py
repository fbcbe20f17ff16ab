name = 'corp'
version = '1.0'
has_plugins = 1
