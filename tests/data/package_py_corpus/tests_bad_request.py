name = 'x'
version = '1'
tests = {'unit': {'command': 'x', 'requires': ['foo-1.']}}
