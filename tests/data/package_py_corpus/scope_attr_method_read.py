name = "corp"
version = "1.0"
with scope("config") as c:
    c.copy.x = 1
