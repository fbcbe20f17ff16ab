name = 'a\tb'
version = '1'
