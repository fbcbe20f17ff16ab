name = "corp"
version = "1.0"
str = "oops"
description = str(name)
