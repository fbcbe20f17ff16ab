name = "corp"
version = "1.0"
with scope("requires") as r:
    r.a.b = 1
