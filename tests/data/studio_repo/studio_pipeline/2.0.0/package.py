name = "studio_pipeline"
version = "2.0.0"
description = """
Core studio pipeline library (asset API, publishing, launcher).

2.x moves to the new asset service and per-Python variants.
"""
authors = ["pipeline-td", "j.moreau", "a.okafor"]
uuid = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
help = [
    ["User guide", "https://wiki.studio.internal/pipeline/guide"],
    ["API reference", "https://docs.studio.internal/studio_pipeline/2.0/"],
]
tools = ["studio-launch", "studio-publish", "studio-ls", "studio-sync"]
requires = [
    "studio_config-1+",
    "~numpy-1.24+",
    "!pyside2<5.15",
]
variants = [
    ["python-3.9"],
    ["python-3.11"],
]
build_requires = ["pytest-7"]
relocatable = True
timestamp = 1600130082
vcs = "git"
previous_version = "1.5.2"
studio_department = "pipeline"
tests = {
    "unit": {
        "command": "pytest {root}/tests/unit",
        "requires": ["pytest"],
    },
    "lint": "python -m compileall -q {root}/python",
}


def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
    env.STUDIO_PIPELINE_VERSION = str(this.version)
    env.STUDIO_ASSET_SERVICE = "https://assets.studio.internal/api/v2"
