name = "shot_tools"
# the version is the folder's
requires = ["studio_pipeline-2", "python-3.9+"]

_doc = "Shot setup and validation tools"


@early()
def help():
    return [["Docs", "https://wiki.studio.internal/" + name]]


@early()
def description():
    if testing:
        return _doc + " (test build)"
    elif this.name == "shot_tools":
        return _doc
    else:
        return ""


tests = {
    "validate": ["python", "-m", "shot_tools.validate"],
}
