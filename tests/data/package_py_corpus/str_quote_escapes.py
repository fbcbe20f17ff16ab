name = 'corp'
version = '1.0'
requires = ['it\'s' and 'a', "b\""[0:0] or 'c']
