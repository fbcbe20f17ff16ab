name = "python"

version = "3.9.18"

description = "The Python programming language, built with shared libs for the DCC stack."

authors = ["Python Software Foundation", "studio-rnd"]

uuid = "8b4f7cc2-53d1-4a0e-9c3a-1f2e5b6d7a90"

help = "https://docs.python.org/3.9/"

tools = [
    "python",
    "python3",
    "python3.9",
    "pip",
    "pip3",
    "pydoc3",
]

variants = [
    ["platform-linux", "arch-x86_64"],
]

private_build_requires = ["gcc-9+", "cmake-3.20+"]

relocatable = True

cachable = True

timestamp = 1600130001

format_version = 2

vcs = "git"

revision = {
    "branch": "main",
    "commit": "3f0a9f8e1c6b4d2a9e7b5c3d1f0e2a4b6c8d0e1f",
    "fetch_url": "git@git.studio.internal:thirdparty/python-build.git",
    "push_url": "git@git.studio.internal:thirdparty/python-build.git",
    "tracking_branch": "origin/main",
}


def commands():
    # python is installed in a standard prefix layout
    env.PATH.prepend("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.PYTHONHOME = "{root}"

    # keep pip from writing to the user site
    env.PIP_DISABLE_PIP_VERSION_CHECK = "1"
    env.PYTHONNOUSERSITE = "1"

    if building:
        env.CMAKE_PREFIX_PATH.append("{root}")
        env.PKG_CONFIG_PATH.append("{root}/lib/pkgconfig")
