# -*- coding: utf-8 -*-
name = "houdini"
version = "20.0.625"
description = "SideFX Houdini 20.0, one variant per Python build (py3.9 / py3.11)."
authors = ["SideFX"]
uuid = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
help = [
    ["Houdini 20 docs", "https://www.sidefx.com/docs/houdini20.0/"],
    ["Studio FX wiki", "https://wiki.studio.internal/fx/houdini"],
]
tools = [
    "houdini", "houdinifx", "houdinicore",
    "hython", "hbatch", "husk", "mantra", "hkey",
]
requires = ["~usd-23.08+"]
variants = [
    ["platform-linux", "arch-x86_64", "python-3.9"],
    ["platform-linux", "arch-x86_64", "python-3.11"],
]
has_plugins = True
relocatable = False
timestamp = 1600130061
previous_version = "19.5.805"
studio_department = "fx"
houdini_env = {
    "HOUDINI_DSO_ERROR": "2",
    "HOUDINI_NO_ENV_FILE": "1",
    "HOUDINI_ACCESS_METHOD": "2",
}


def commands():
    env.HFS = "{root}"
    env.H = "{root}"
    env.HB = "{root}/bin"
    env.HDSO = "{root}/dsolib"
    env.PATH.prepend("{root}/bin")

    py = resolve.python.version
    env.HHP = "{root}/houdini/python%s.%slibs" % (py.major, py.minor)

    major, minor, build = this.version.major, this.version.minor, this.version.patch
    env.HOUDINI_MAJOR_RELEASE = str(major)
    env.HOUDINI_MINOR_RELEASE = str(minor)
    env.HOUDINI_BUILD_VERSION = str(build)

    for key, value in [("HOUDINI_DSO_ERROR", "2"),
                       ("HOUDINI_NO_ENV_FILE", "1"),
                       ("HOUDINI_ACCESS_METHOD", "2")]:
        setenv(key, value)

    env.HOUDINI_PATH = "{root}/houdini;&"
    env.SESI_LMHOST = "sesi-lic.studio.internal"


def pre_test_commands():
    env.HOUDINI_NO_START_PAGE_SPLASH = "1"
    env.HOUDINI_DISABLE_CONSOLE = "1"
