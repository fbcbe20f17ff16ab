name = 'corp'
version = '1.0'
relocatable = None
cachable = False
has_plugins = True
hashed_variants = False
