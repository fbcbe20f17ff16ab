name = 'corp'
version = '1.0'
previous_version = '1..2'
