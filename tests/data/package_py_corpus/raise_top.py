name = 'corp'
version = '1.0'
raise ValueError('no')
