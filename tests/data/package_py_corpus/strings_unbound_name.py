name = "corp"
version = "1.0"
description = "x" + later
later = "y"
