name = 'corp'
version = '1.0'
def commands():
    env.PATH.append('{root}/bin')
    env.FOO = 'bar'
    if building:
        env.X = 1
    else:
        pass
requires = ['foo']
