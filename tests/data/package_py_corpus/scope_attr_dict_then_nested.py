name = "corp"
version = "1.0"
with scope("config") as c:
    c.a = {"x": 1}
    c.a.y = 2
