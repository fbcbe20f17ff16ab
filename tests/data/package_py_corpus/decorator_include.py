name = 'corp'
version = '1.0'
@include('x')
def commands():
    pass
