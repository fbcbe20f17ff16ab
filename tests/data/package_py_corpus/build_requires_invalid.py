name = 'corp'
version = '1.0'
build_requires = ['foo<<1']
