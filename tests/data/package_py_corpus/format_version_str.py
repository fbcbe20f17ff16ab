name = 'corp'
version = '1.0'
format_version = 'two'
