# version comes from the folder, as many studio files do
name = "lighting_tools"
description = "Light rig helpers"
requires = ["python-3.9+<3.12", "~maya-2023+"]

def commands():
    env.PYTHONPATH.append("{root}/python")
