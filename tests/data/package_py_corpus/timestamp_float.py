name = 'corp'
version = '1.0'
timestamp = 1.5
