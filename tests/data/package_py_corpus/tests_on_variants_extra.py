name = 'x'
version = '1'
tests = {'unit': {'command': 'x', 'on_variants': {'type': 'requires', 'value': [], 'x': 1}}}
