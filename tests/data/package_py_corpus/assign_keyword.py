True = 1
name = 'corp'
version = '1.0'
