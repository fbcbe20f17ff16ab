name = 'corp'
version = '1.0'
requires = ['foo-1+<1.5|2', 'bar-3+<2']
