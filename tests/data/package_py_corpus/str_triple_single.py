name = 'corp'
version = '1.0'
description = '''a
'b'
"c"'''
requires = ['''foo''']
