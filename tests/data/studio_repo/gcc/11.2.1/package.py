name = "gcc"
version = "11.2.1"
description = "GNU Compiler Collection (devtoolset-11), VFX Reference Platform CY2023/CY2024."
authors = ["GNU Project"]
tools = ["gcc", "g++", "cpp", "c++", "gcov"]
variants = [["platform-linux", "arch-x86_64", "os-CentOS-7"]]
relocatable = False
timestamp = 1600130011
previous_version = "9.3.1"
vfx_reference_platform = ("CY2023", "CY2024")

def commands():
    """Compiler toolchain environment."""
    bin_dir = "{root}/bin"
    env.PATH.prepend(bin_dir)
    env.LD_LIBRARY_PATH.prepend("{root}/lib64")
    for var, exe in (("CC", "gcc"), ("CXX", "g++")):
        setenv(var, "%s/%s" % (bin_dir, exe))
