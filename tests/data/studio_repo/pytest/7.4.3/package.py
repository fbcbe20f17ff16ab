name = "pytest"
version = "7.4.3"
description = "Python testing framework (vendored with pluggy, iniconfig and packaging)."
authors = ["Holger Krekel", "pytest-dev"]
tools = ["pytest", "py.test"]
requires = ["python-3.7+"]
relocatable = True
timestamp = 1600130013

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
    env.PYTEST_DISABLE_PLUGIN_AUTOLOAD = "1"
