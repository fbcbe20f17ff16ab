name = "maya"
version = "2024.2"
description = """Autodesk Maya 2024 Update 2.

Deployed from the Autodesk RPMs into the package root; the
studio launcher wraps the 'maya' tool.
"""
authors = ["Autodesk"]
uuid = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
help = [
    ["Maya 2024 help", "https://help.autodesk.com/view/MAYAUL/2024/ENU/"],
    ["Studio Maya wiki", "https://wiki.studio.internal/maya"],
]
tools = ["maya", "mayapy", "mayabatch", "Render", "fcheck", "imgcvt"]
requires = ["~python-3.9+<3.12", "!pyside2"]
variants = [["platform-linux", "arch-x86_64"]]
has_plugins = True
relocatable = False
cachable = True
timestamp = 1600130041
previous_version = "2023.3"
studio_department = "animation"
render_timeout_hours = 12.5
license_server = {
    "host": "adsk-lic01.studio.internal",
    "port": 27000,
    "fallback": ("adsk-lic02.studio.internal", 27000),
}


def commands():
    """Maya host environment.

    Plugins (mtoa, studio_maya_tools) append to MAYA_MODULE_PATH.
    """
    env.MAYA_LOCATION = "{root}"
    env.PATH.prepend("${MAYA_LOCATION}/bin")
    env.LD_LIBRARY_PATH.append("{root}/lib")

    setenv("MAYA_VERSION", str(this.version))
    setenv("MAYA_APP_DIR", "{}/maya/{}".format("/tmp/studio_prefs", this.version.major))

    for flag in ["MAYA_DISABLE_CIP", "MAYA_DISABLE_CER", "MAYA_DISABLE_ADP"]:
        setenv(flag, "1")

    alias("mayapy", "{root}/bin/mayapy")

    comment("Maya %s configured" % this.version)


def post_commands():
    # make sure the studio module dir always wins over plugin modules
    env.MAYA_MODULE_PATH.prepend("/studio/maya/modules/%s" % this.version.major)
