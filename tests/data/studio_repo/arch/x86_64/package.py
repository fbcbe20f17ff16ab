name = "arch"
version = "x86_64"
description = "Implicit architecture package (64-bit Intel/AMD)."
authors = ["rez-bind"]
requires = ["platform-linux"]
relocatable = True
cachable = False

def commands():
    pass

# Single-line def: rez 3.4 extracts an empty body from this form and would
# fail to execute it, so it is only used for a hook rez never runs here
# (this package has no tests).
def pre_test_commands(): pass
