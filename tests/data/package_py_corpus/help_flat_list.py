name = 'corp'
version = '1.0'
help = ['http://x']
