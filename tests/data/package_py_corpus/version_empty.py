name = 'corp'
version = ''
