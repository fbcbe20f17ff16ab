name = 'corp'
version = '1.0'
requires = ['a']
if __name__ == '__main__':
    pass
