name = 'corp'
version = '1.0'
requires = [f'foo-1', rf'bar', fR'baz']
