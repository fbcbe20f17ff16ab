name = "usd"
version = "23.11"
_py = "3.11"
requires = ["python-" + _py, "boost-1.80+" ]
variants = [["platform-" + "linux", "python-" + _py]]
