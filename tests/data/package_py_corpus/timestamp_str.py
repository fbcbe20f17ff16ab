name = 'corp'
version = '1.0'
timestamp = '1600000000'
