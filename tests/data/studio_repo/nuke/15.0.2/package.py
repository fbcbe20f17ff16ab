name = "nuke"
version = "15.0.2"
description = "Foundry Nuke 15.0v2 (NukeX / Nuke Studio via flags)."
authors = ["Foundry"]
uuid = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
help = [["Nuke 15 online help", "https://learn.foundry.com/nuke/15.0/"]]
tools = ["nuke", "nukex", "nukestudio", "hiero"]
requires = ["~python-3.9+<3.12", "!pyside2"]
variants = [["platform-linux", "arch-x86_64"]]
has_plugins = True
relocatable = False
timestamp = 1600130051
previous_version = "14.0.5"
studio_department = "compositing"

def commands():
    env.NUKE_ROOT = "{root}"
    env.PATH.prepend("{root}")
    setenv("NUKE_VERSION", "%d.%dv%d" % (this.version.major, this.version.minor, this.version.patch))

    exe = "{root}/Nuke%s.%s" % (this.version.major, this.version.minor)
    alias("nukex", exe + " --nukex")
    alias("nukestudio", exe + " --studio")

    env.foundry_LICENSE = "4101@foundry-lic.studio.internal"
    env.NUKE_DISABLE_CRASH_REPORTING = "1"


def post_commands():
    # studio gizmos always come last so shows can override them
    env.NUKE_PATH.append("/studio/nuke/gizmos")
