name = 'corp'
version = '1.0'
variants = (['foo'],)
