name = "tbb"
version = "2020.3"
description = "Intel Threading Building Blocks."
authors = ["Intel"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130025

def commands():
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.TBB_ROOT = "{root}"
    if building:
        env.TBB_INCLUDE_DIR = "{root}/include"
