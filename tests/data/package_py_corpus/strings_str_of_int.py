name = "corp"
version = "1.0"
build = 3
description = "build " + str(build)
uuid = "corp-%s" % build
