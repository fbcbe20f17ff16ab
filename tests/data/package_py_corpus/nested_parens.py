name = 'corp'
version = '1.0'
name = ((('corp')))
requires = [((('foo')))]
