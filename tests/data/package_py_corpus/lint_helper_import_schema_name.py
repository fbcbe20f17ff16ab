from rez.utils.lint_helper import requires
name = 'odd'
version = '1.0.0'
