name = "corp"
version = "1.0"
description = "{}{0}".format("a")
