name = "corp"
version = "1.0"
with scope("config") as c:
    c.a.b = 1
    c.a = 2
