name = "numpy"
version = "1.24.4"
description = "Fundamental package for array computing with Python."
authors = ["NumPy Developers"]
requires = []
variants = [
    ["python-3.9"],
    ["python-3.11"],
]
relocatable = True
timestamp = 1600130020
build_command = "python -m pip install --no-deps --target {install_path}/python {root}"

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/python/bin")
