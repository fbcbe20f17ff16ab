name = 'corp'
version = '1.0'
commands = 'env.PATH.append("x")'
