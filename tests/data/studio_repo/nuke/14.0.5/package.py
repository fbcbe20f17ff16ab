name = "nuke"
version = "14.0.5"
description = "Foundry Nuke 14.0v5 (NukeX / Nuke Studio via flags)."
authors = ["Foundry"]
uuid = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
help = "https://learn.foundry.com/nuke/14.0/"
tools = ["nuke", "nukex", "nukestudio", "hiero"]
requires = ["~python-3.9", "!pyside2"]
variants = [["platform-linux", "arch-x86_64"]]
has_plugins = True
relocatable = False
timestamp = 1600130050
studio_department = "compositing"

def commands():
	# Nuke ships its own python; expose the install dir
	env.NUKE_ROOT = "{root}"
	env.PATH.prepend("{root}")

	nuke_version = "{0}.{1}v{2}".format(
		this.version.major,
		this.version.minor,
		this.version.patch,
	)
	setenv("NUKE_VERSION", nuke_version)

	alias("nukex", "{root}/Nuke14.0 --nukex")
	alias("nukestudio", "{root}/Nuke14.0 --studio")

	env.foundry_LICENSE = "4101@foundry-lic.studio.internal"
	env.NUKE_DISABLE_CRASH_REPORTING = "1"
