name = "houdini"
version = "19.5.805"
description = "SideFX Houdini 19.5 (py3.9 build)."
authors = ["SideFX"]
uuid = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
help = "https://www.sidefx.com/docs/houdini19.5/"
tools = ["houdini", "houdinifx", "houdinicore", "hython", "hbatch", "husk", "mantra", "hkey"]
requires = ["~python-3.9"]
variants = [["platform-linux", "arch-x86_64"]]
has_plugins = True
relocatable = False
timestamp = 1600130060
studio_department = "fx"

def commands():
    env.HFS = "{root}"
    env.H = "{root}"
    env.HB = "{root}/bin"
    env.HDSO = "{root}/dsolib"
    env.HHP = "{root}/houdini/python3.9libs"
    env.PATH.prepend("{root}/bin")
    env.HOUDINI_MAJOR_RELEASE = str(this.version.major)
    env.HOUDINI_MINOR_RELEASE = str(this.version.minor)
    env.HOUDINI_BUILD_VERSION = str(this.version.patch)
    # '&' keeps the default Houdini search path at the end
    env.HOUDINI_PATH = "{root}/houdini;&"
    env.SESI_LMHOST = "sesi-lic.studio.internal"
