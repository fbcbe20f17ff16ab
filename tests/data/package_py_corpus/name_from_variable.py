_n = 'corp'
name = _n
version = '1'
