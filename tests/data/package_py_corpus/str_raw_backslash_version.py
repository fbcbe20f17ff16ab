name = 'corp'
version = r'1\.0'
