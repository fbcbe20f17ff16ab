name = 'corp'
version = '1.0'
global x
