name = 'caf\u00e9'
version = '1'
