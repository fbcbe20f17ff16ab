name = 'corp'
version = '1.0'
requires = ['__pycache__']
