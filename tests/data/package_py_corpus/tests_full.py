name = 'pipe_io'
version = '1.7.0'
requires = ['python-3']

tests = {
    'unit': {
        'command': 'pytest {root}/tests',
        'requires': ['pytest-6+'],
        'run_on': ['default', 'pre_release'],
        'on_variants': {'type': 'requires', 'value': ['python-3.9']},
    },
    'lint': 'flake8 {root}/python',
    'style': ['black', '--check', '.'],
}
