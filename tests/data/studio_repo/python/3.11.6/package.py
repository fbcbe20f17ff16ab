name = "python"
version = "3.11.6"
description = "The Python programming language, built with shared libs for the DCC stack."
authors = ["Python Software Foundation", "studio-rnd"]
uuid = "8b4f7cc2-53d1-4a0e-9c3a-1f2e5b6d7a90"
help = [
  ["Python docs", "https://docs.python.org/3.11/"],
  ["Studio wiki", "https://wiki.studio.internal/rnd/python"],
]
tools = ["python", "python3", "python3.11", "pip", "pip3", "pydoc3"]
variants = [["platform-linux", "arch-x86_64"]]
private_build_requires = ["gcc-11+", "cmake-3.20+"]
relocatable = True
cachable = True
timestamp = 1600130002
format_version = 2
vcs = "git"
previous_version = "3.9.18"
changelog = """
- bump to 3.11.6
- enable --with-lto and --enable-optimizations
"""

def commands():
  env.PATH.prepend("{root}/bin")
  env.LD_LIBRARY_PATH.prepend("{root}/lib")
  env.PYTHONHOME = "{root}"
  env.PYTHONNOUSERSITE = "1"
  # CPython 3.11 defaults that the farm depends on
  setenv("PYTHONDONTWRITEBYTECODE", "1")
  if building:
    env.CMAKE_PREFIX_PATH.append("{root}")
