name = "corp"
version = "1.0"
description = "{missing}".format(version=version)
