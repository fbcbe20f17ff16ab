name = ''
version = '1'
