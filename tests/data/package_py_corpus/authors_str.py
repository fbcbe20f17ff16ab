name = 'corp'
version = '1.0'
authors = 'me'
