name = "nuke_tools"
version = "1.0.4"
major = "15"
requires = ["nuke-{0}+<{1}".format(major, "16")]
description = "{} tools".format(name)
