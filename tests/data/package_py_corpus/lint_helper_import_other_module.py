from rez.utils.lint_helpers import env
name = 'typo'
version = '1.0.0'
