name = "corp"
version = "1.0"
with scope("config") as c:
    c._hidden.x = 1
