name = 'corp'
version = '1.0'
def commands():
    env.X = f'{x['
