from rez.utils.lint_helper import building

name = 'usd_plugins'
version = '0.9.0'

@early()
def requires():
    """Build tools only while building."""
    if building:
        return ['cmake-3.20+', 'usd-22']
    return ['usd-22']
