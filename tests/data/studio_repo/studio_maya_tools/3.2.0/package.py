name = "studio_maya_tools"
version = "3.2.0"
description = "Studio Maya toolset: shelves, publish UI, rigging and layout helpers."
authors = ["maya-td"]
uuid = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
tools = []
requires = [
    "~maya-2023+",
    "studio_pipeline-1.5+<2.1",
]
plugin_for = ["maya"]
relocatable = True
timestamp = 1600130090
studio_department = "animation"

def commands():
    env.MAYA_MODULE_PATH.append("{root}/modules")
    env.MAYA_SCRIPT_PATH.append("{root}/scripts")
    env.PYTHONPATH.append("{root}/python")
    env.XBMLANGPATH.append("{root}/icons/%B")