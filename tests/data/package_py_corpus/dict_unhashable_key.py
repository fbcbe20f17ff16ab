name = 'corp'
version = '1.0'
extra = {['a']: 1}
