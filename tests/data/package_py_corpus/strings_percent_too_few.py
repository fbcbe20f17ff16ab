name = "corp"
version = "1.0"
description = "%s %s" % name
