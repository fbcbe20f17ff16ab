name = "maya_launcher"
version = "2.0.0"
requires = ["maya"]


@late()
def tools():
    if in_context() and "mtoa" in request:
        return ["maya", "kick"]
    return ["maya"]
