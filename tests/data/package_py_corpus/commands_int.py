name = 'corp'
version = '1.0'
commands = 5
