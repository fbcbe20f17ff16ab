name = 'corp'
version = '1.0'
def preprocess(this, data):
    data['x'] = 1
requires = ['foo']
