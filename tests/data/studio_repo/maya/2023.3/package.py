name = "maya"

version = "2023.3"

description = "Autodesk Maya 2023 Update 3."

authors = ["Autodesk"]

uuid = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

help = [
    ["Maya 2023 help", "https://help.autodesk.com/view/MAYAUL/2023/ENU/"],
    ["Studio Maya wiki", "https://wiki.studio.internal/maya"],
]

tools = [
    "maya",
    "mayapy",
    "mayabatch",
    "Render",
    "fcheck",
    "imgcvt",
]

requires = [
    "~python-3.9",
    "!pyside2",
]

variants = [["platform-linux", "arch-x86_64"]]

has_plugins = True

relocatable = False

cachable = True

timestamp = 1600130040

studio_department = "animation"

license_server = {
    "host": "adsk-lic01.studio.internal",
    "port": 27000,
    "fallback": ("adsk-lic02.studio.internal", 27000),
}


def _install_root():
    # site install location, used by the deploy script only
    return "/opt/autodesk/maya2023"


def pre_commands():
    # make sure nothing leaks in from a user's shell rc
    env.MAYA_SKIP_USERSETUP_PY = "0"


def commands():
    # Maya install lives in the package root (deployed by the installer wrapper)
    env.MAYA_LOCATION = "{root}"
    env.PATH.prepend("{root}/bin")
    env.LD_LIBRARY_PATH.append("{root}/lib")

    setenv("MAYA_VERSION", str(this.version))
    setenv("MAYA_MAJOR_VERSION", str(this.version.major))

    # studio defaults
    env.MAYA_DISABLE_CIP = "1"
    env.MAYA_DISABLE_CER = "1"
    env.MAYA_COLOR_MANAGEMENT_SYNCOLOR = "1"

    alias("mayapy", "{root}/bin/mayapy")
    alias("maya-batch", "{root}/bin/maya -batch")

    if building:
        env.DEVKIT_LOCATION = "{root}/devkitBase"
