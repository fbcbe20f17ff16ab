name = "corp"
version = "1.0"
base = ["python-3"]
requires = base
