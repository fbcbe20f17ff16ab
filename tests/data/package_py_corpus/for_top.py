name = 'corp'
version = '1.0'
for i in []:
    pass
