name = "imath"
version = "3.1.9"
description = "C++ and Python library of 2D and 3D vector, matrix, and math operations."
authors = ["Academy Software Foundation"]
uuid = "b7d41e63-2f58-4c09-a1e6-0d3c5f7e9b12"
variants = [["platform-linux", "arch-x86_64"]]
build_requires = ["cmake-3.20+"]
private_build_requires = ["gcc-9+"]
relocatable = True
timestamp = 1600130023

def commands():
    env.LD_LIBRARY_PATH.prepend("{root}/lib64")
    if building:
        env.CMAKE_MODULE_PATH.append("{root}/lib64/cmake/Imath")
        env.CPATH.append("{root}/include")
