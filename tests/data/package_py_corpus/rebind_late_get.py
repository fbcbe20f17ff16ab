late = globals().get('late')
name = 'x'
version = '1'
