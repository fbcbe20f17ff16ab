version = '1'
