name = "comp_gizmos"
version = "14.0.2"
_nuke = "nuke-" + version.split(".")[0] if False else "nuke-14"
requires = [_nuke, "python-3.9"]
