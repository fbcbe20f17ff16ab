from rez.utils.lint_helper import building
name = 'x'
version = '1'
requires = ['cmake'] if building else ['runtime']
