name = 'corp'
version = '1.0'
requires = ['a\x2db-1', 'c\055d', 'e\u0066', 'g\U00000068', 'i\
j']
