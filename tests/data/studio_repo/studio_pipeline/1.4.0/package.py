name = "studio_pipeline"
version = "1.4.0"
description = "Core studio pipeline library (asset API, publishing, launcher)."
authors = ["pipeline-td"]
uuid = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
tools = ["studio-launch", "studio-publish"]
requires = [
    "python-3.9",
    "pyside2-5.15",
    "studio_config-1",
]
build_requires = ["pytest-7"]
relocatable = True
timestamp = 1600130080
vcs = "git"
studio_department = "pipeline"

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
    env.STUDIO_PIPELINE_VERSION = str(this.version)
