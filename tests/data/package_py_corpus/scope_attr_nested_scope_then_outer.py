name = "corp"
version = "1.0"
with scope("config") as c:
    with scope("plugins") as p:
        p.a = 1
    c.a.b = 2
