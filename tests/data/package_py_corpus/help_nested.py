name = 'corp'
version = '1.0'
help = [['Home', 'http://x']]
