name = "studio_pipeline"
version = "1.5.2"
description = "Core studio pipeline library (asset API, publishing, launcher)."
authors = ["pipeline-td", "j.moreau"]
uuid = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
tools = ["studio-launch", "studio-publish", "studio-ls"]
requires = [
    "python-3.9+<3.12",
    "studio_config-1",
    "~pyside2-5.15",
]
build_requires = ["pytest-7"]
relocatable = True
timestamp = 1600130081
vcs = "git"
previous_version = "1.4.0"
release_message = "Drop hard pyside2 dependency; GUI is optional now."
studio_department = "pipeline"

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
    env.STUDIO_PIPELINE_VERSION = str(this.version)

    # only the standalone GUI needs Qt
    if "pyside2" in resolve:
        env.STUDIO_PIPELINE_GUI = "1"
