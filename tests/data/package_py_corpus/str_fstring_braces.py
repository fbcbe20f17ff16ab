name = 'corp'
version = '1.0'
requires = [f'foo{{1}}']
