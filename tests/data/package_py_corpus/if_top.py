name = 'corp'
version = '1.0'
if True:
    requires = ['a']
