from rez.utils.lint_helper import (
    env as environment,
    this,
    building,
)
name = 'render_farm'
version = '1.0.0'
requires = ['houdini-19.5']
