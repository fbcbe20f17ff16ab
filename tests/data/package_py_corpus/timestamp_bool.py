name = 'corp'
version = '1.0'
timestamp = True
