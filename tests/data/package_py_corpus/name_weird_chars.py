name = 'my pkg!'
version = '1'
