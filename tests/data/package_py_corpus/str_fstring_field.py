name = 'corp'
version = '1.0'
x = 1
requires = [f'foo-{x}']
