name = "maya_devkit"
version = "2023.3"
description = "Autodesk Maya 2023 developer kit (headers, libs, CMake helpers)."
authors = ["Autodesk"]
requires = ["~maya-2023.3"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130042

def commands():
    env.DEVKIT_LOCATION = "{root}/devkitBase"
    if building:
        env.CMAKE_MODULE_PATH.append("{root}/devkitBase/cmake/modules")
        env.MAYA_DEVKIT_INCLUDE = "{root}/devkitBase/include"
