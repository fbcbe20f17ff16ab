name = 'corp'
requires = ['foo']
