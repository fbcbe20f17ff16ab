name = "corp"
version = "1.0"
requires = ["foo-1"]
with scope("config") as c:
    c.a.b = 1
    c.a.c = 2
    c.a.d.e = (3, 4)
    c.x = [1]
