name = "corp"
version = "1.0"
with scope("config") as c:
    c.a = 1
with scope("other") as c:
    c.a.b = 2
