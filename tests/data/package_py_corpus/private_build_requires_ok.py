name = 'corp'
version = '1.0'
private_build_requires = ['cmake-3+', 'python']
build_requires = ['.eph']
