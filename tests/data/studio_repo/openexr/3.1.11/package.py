name = "openexr"
version = "3.1.11"
description = """
OpenEXR: high dynamic-range image file format.

Built against the studio Imath, without the OpenEXR 2.x compatibility shims.
"""
authors = ["Academy Software Foundation", "Industrial Light & Magic"]
uuid = "a1f9c3e5-7b2d-4e8f-9a0c-6d4b2e8f1a37"
tools = ["exrheader", "exrinfo", "exrmaketiled", "exrstdattr", "exrmultipart"]
requires = ["imath-3.1+"]
variants = [["platform-linux", "arch-x86_64"]]
build_requires = ["cmake-3.20+"]
private_build_requires = ["gcc-9+"]
relocatable = True
timestamp = 1600130024

def commands():
    env.PATH.append("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib64")

    if building:
        env.CMAKE_MODULE_PATH.append("{root}/lib64/cmake/OpenEXR")
