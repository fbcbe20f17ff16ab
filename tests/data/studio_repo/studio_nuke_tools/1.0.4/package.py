name = "studio_nuke_tools"
version = "1.0.4"
description = "Studio Nuke gizmos, menus and publish panels."
authors = ["comp-td"]
uuid = "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c"
requires = [
    "nuke-14",
    "studio_pipeline-1.5+",
]
plugin_for = ["nuke"]
relocatable = True
timestamp = 1600130100
studio_department = "compositing"

def commands():
    env.NUKE_PATH.append("{root}/nuke")
    env.NUKE_PATH.append("{root}/gizmos")
    env.PYTHONPATH.append("{root}/python")
