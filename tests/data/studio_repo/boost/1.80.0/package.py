name = "boost"
version = "1.80.0"
description = "Boost C++ libraries, built with Boost.Python for the matching Python."
authors = ["boost.org"]
uuid = "e3b2a1c0-9d8f-4e7a-b6c5-0f1e2d3c4b5a"
help = "https://www.boost.org/doc/libs/1_80_0/"
variants = [
    ["platform-linux", "arch-x86_64", "python-3.9"],
    ["platform-linux", "arch-x86_64", "python-3.11"],
]
hashed_variants = True
private_build_requires = ["gcc-9+"]
relocatable = True
timestamp = 1600130026
boost_libraries = ("filesystem", "program_options", "python", "regex", "system", "thread")

def commands():
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.BOOST_ROOT = "{root}"

    if building:
        env.BOOST_INCLUDEDIR = "{root}/include"
        env.BOOST_LIBRARYDIR = "{root}/lib"
        env.CMAKE_PREFIX_PATH.append("{root}")
