name = "corp"
version = "1.0"
description = "plain" % name
