name = "corp"
_major = "2"
version = _major + ".4.1"
requires = ["python-3"]
