name = "corp"
version = "1.0"
with scope("config") as c:
    c.data = 5
    c.items = [1]
