from rez.utils.lint_helper import *
name = 'star'
version = '1.0.0'
