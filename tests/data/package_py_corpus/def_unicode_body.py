name = 'corp'
version = '1.0'
def commands():
    env.X = 'café'  # ☃
requires = ['foo']
