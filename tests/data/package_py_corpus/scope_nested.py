name = 'corp'
version = '1.0'
with scope('config') as c:
    with scope('plugins') as p:
        p.x = 1
    y = 2
requires = ['foo']
