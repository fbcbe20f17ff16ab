name = "numpy"
version = "1.26.2"
description = "Fundamental package for array computing with Python."
authors = ["NumPy Developers"]
variants = [
    ["python-3.9"],
    ["python-3.11"],
]
hashed_variants = True
relocatable = True
timestamp = 1600130021
previous_version = "1.24.4"
build_command = "python -m pip install --no-deps --target {install_path}/python {root}"

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/python/bin")
    # openblas is bundled in numpy.libs
    env.OPENBLAS_NUM_THREADS = "1"
