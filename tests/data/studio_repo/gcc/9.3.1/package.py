name = "gcc"
version = "9.3.1"
description = "GNU Compiler Collection (devtoolset-9), VFX Reference Platform CY2021/CY2022."
authors = ["GNU Project"]
tools = ["gcc", "g++", "cpp", "c++", "gcov"]
variants = [["platform-linux", "arch-x86_64", "os-CentOS-7"]]
relocatable = False
timestamp = 1600130010
vfx_reference_platform = ("CY2021", "CY2022")

def commands():
    env.PATH.prepend("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib64")
    env.CC = "{root}/bin/gcc"
    env.CXX = "{root}/bin/g++"
