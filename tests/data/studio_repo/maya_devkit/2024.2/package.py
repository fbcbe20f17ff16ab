name = "maya_devkit"
version = "2024.2"
description = "Autodesk Maya 2024 developer kit (headers, libs, CMake helpers)."
authors = ["Autodesk"]
requires = ["~maya-2024.2"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130043
previous_version = "2023.3"

def commands():
    env.DEVKIT_LOCATION = "{root}/devkitBase"
    if building:
        env.CMAKE_MODULE_PATH.append("{root}/devkitBase/cmake/modules")
        env.MAYA_DEVKIT_INCLUDE = "{root}/devkitBase/include"
