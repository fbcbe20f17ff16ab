name = 'corp'
version = '1.0'
scope = 1
