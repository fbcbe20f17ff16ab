name = "corp"
version = "1.0"
label = "a"
with scope("config") as c:
    label = "b"
description = "x-" + label
