name = 'corp'
version = '1.0'
class A:
    pass
