name = 'corp'
version = '1.0'
uuid = 123
