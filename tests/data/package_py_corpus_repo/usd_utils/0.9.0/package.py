name = "usd_utils"
requires = ["usd-23+", "python-3"]
@early()
def description():
    return "dynamic"
