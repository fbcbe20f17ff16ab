from rez.utils.lint_helper import late
name = 'late_rebound'
version = '1.0.0'
requires = ['a']
