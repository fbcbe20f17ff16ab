name = "corp"
version = "1.0"
description = "{:>8}".format(name)
