name = 'corp'
version = '1.0'
return 1
