name = 'a\N{LATIN SMALL LETTER B}'
version = '1'
