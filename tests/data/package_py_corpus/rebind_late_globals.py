late = globals()['late']  # noqa: F821
early = globals()["early"]

name = 'pkg_lint_clean'
version = '0.3.0'
requires = ['python']
