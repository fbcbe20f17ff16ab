name = "usd_plugins"
version = "0.4.0"


@early()
def requires():
    return [r for r in ["usd-23", "python-3.9"]]
