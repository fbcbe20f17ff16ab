name = 'corp'
version = '1.0'
def commands():
    env.X = f'{this.root}/bin'
    env.Y = f"{resolve['foo'].version}"
    env.Z = f'{{literal}}'
requires = ['foo']
