name = "corp"
version = "1.0"
build = 3
description = "build " + build
