name = "mtoa"
version = "5.3.4"
description = "Arnold for Maya (MtoA 5.3.4, Arnold core 7.2.4)."
authors = ["Autodesk"]
uuid = "9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a"
tools = ["kick", "maketx", "noice", "oslc", "oslinfo"]
requires = ["~python-3.9+<3.12"]
variants = [
    ["maya-2023"],
    ["maya-2024"],
]
private_build_requires = ["cmake-3.20+", "gcc-9+"]
plugin_for = ["maya"]
relocatable = False
timestamp = 1600130044
studio_department = "lighting"
arnold_core_version = "7.2.4.1"
license = {"server": "5053@arnold-lic.studio.internal", "timeout_s": 30.0}


def commands():
    env.MTOA_ROOT = "{root}"
    env.PATH.append("{root}/bin")

    # MtoA ships as a Maya module
    env.MAYA_MODULE_PATH.append("{root}")
    env.MAYA_RENDER_DESC_PATH.append("{root}")

    env.ARNOLD_PLUGIN_PATH.append("{root}/shaders")
    env.MTOA_TEMPLATES_PATH.append("{root}/scripts/mtoa/ui/templates")

    maya_major = resolve.maya.version.major
    env.MTOA_EXTENSIONS_PATH.append("{root}/extensions/maya%s" % maya_major)

    env.ADSKFLEX_LICENSE_FILE = "5053@arnold-lic.studio.internal"
