# Alembic, with PyAlembic bindings per Python variant.

name = "alembic"

version = "1.8.5"

description = "Open computer graphics interchange framework."

authors = ["Sony Pictures Imageworks", "Industrial Light & Magic"]

uuid = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"

tools = ["abcconvert", "abcecho", "abcls", "abcstitcher", "abctree"]

requires = ["imath-3.1+", "openexr-3"]

variants = [
    ["python-3.9"],
    ["python-3.11"],
]

build_requires = ["cmake-3.20+"]

private_build_requires = ["gcc-9+", "boost-1.80"]

relocatable = True

timestamp = 1600130028


def commands():
    env.PATH.append("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.PYTHONPATH.prepend(
        "{{root}}/lib/python{0}.{1}/site-packages".format(
            resolve.python.version.major,
            resolve.python.version.minor,
        )
    )
