name = "cmake"
version = "3.26.4"
description = "Cross-platform build system generator."
authors = ["Kitware"]
uuid = "1c8d2e4a-6f0b-4c3e-8a7d-5b9e0f1a2c3d"
help = "https://cmake.org/cmake/help/v3.26/"
tools = ["cmake", "ctest", "cpack", "ccmake"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130012


def commands():
    env.PATH.append("{root}/bin")
    # make find_package() look in the rez resolve first
    env.CMAKE_MODULE_PATH.append("{{root}}/share/cmake-{major}.{minor}/Modules".format(
        major=this.version.major,
        minor=this.version.minor,
    ))
