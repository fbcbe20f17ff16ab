name = 'x'
version = '1'
tests = {'unit': {'requires': ['pytest']}}
