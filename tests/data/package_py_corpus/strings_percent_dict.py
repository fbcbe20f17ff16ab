name = "corp"
version = "1.0"
description = "%(name)s" % {"name": name}
