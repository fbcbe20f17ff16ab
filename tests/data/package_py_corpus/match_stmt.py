name = 'corp'
version = '1.0'
match name:
    case 'x':
        pass
