name = "corp"
version = "1.0"
with scope("config") as c:
    a = 1
with scope("config") as d:
    d.a.b = 2
