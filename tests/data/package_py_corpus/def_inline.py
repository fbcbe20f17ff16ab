name = 'corp'
version = '1.0'
def commands(): env.X = 1; env.Y = 2
requires = ['foo']
