name = "platform"

version = "linux"

description = "Implicit platform package, bound from the host system."

authors = ["rez-bind"]

relocatable = True

def commands():
    pass
