name = 'corp'
version = '1.0'
def commands():
    env.X = '\x4'
