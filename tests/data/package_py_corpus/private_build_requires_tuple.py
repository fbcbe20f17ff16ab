name = 'corp'
version = '1.0'
private_build_requires = ('cmake',)
