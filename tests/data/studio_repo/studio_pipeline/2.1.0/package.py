name = "studio_pipeline"

version = "2.1.0"

description = """
Core studio pipeline library (asset API, publishing, launcher).

2.x moves to the new asset service and per-Python variants.
"""

authors = [
    "pipeline-td",
    "j.moreau",
    "a.okafor",
]

uuid = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"

help = [
    ["User guide", "https://wiki.studio.internal/pipeline/guide"],
    ["API reference", "https://docs.studio.internal/studio_pipeline/2.1/"],
]

tools = ["studio-launch", "studio-publish", "studio-ls", "studio-sync"]

requires = [
    "studio_config-1+",
    "numpy-1.24+",
    "!pyside2<5.15",
]   

variants = [
    ["python-3.9"],
    ["python-3.11"],
]

build_requires = ["pytest-7"]

private_build_requires = ["cmake-3.20+"]

relocatable = True

cachable = True

timestamp = 1600130083

format_version = 2

vcs = "git"

revision = {
    "branch": "release/2.1",
    "commit": "9c1d7e3a5b2f4c6d8e0a1b3c5d7e9f0a2b4c6d8e",
    "fetch_url": "git@git.studio.internal:pipeline/studio_pipeline.git",
    "push_url": "git@git.studio.internal:pipeline/studio_pipeline.git",
    "tracking_branch": "origin/release/2.1",
}

previous_version = "2.0.0"

previous_revision = {
    "branch": "main",
    "commit": "4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
}

changelog = """
commit 9c1d7e3a5b2f4c6d8e0a1b3c5d7e9f0a2b4c6d8e
Author: a.okafor
    publish: retry asset-service uploads on 503

commit 1e3f5a7c9b0d2f4a6c8e0b1d3f5a7c9e0b2d4f6a
Author: j.moreau
    launcher: numpy is now a hard requirement (thumbnail cache)
"""

release_message = "2.1.0: upload retries, numpy thumbnail cache"

studio_department = "pipeline"

studio_meta = {
    "ticket": "PIPE-2231",
    "review": {
        "approved_by": ["a.okafor", "s.lindqvist"],
        "score": 4.5,
        "checks": ("unit", "lint", "smoke"),
    },
    "rollout": {"percent": 100, "sites": ["london", "montreal"]},
}

tests = {
    "unit": {
        "command": "pytest {root}/tests/unit",
        "requires": ["pytest"],
    },
    "unit_py311": {
        "command": "pytest -x {root}/tests/unit",
        "requires": ["pytest-7"],
        "on_variants": {
            "type": "requires",
            "value": ["python-3.11"],
        },
    },
    "lint": {
        "command": ["python", "-m", "compileall", "-q", "{root}/python"],
        "run_on": ["default", "pre_release"],
    },
}


def pre_commands():
    # reset per-context pipeline state
    env.STUDIO_PIPELINE_CONTEXT = "rez"


def commands():
# (column-0 comment: pipeline layout below)
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")   

    env.STUDIO_PIPELINE_VERSION = str(this.version)
    env.STUDIO_ASSET_SERVICE = "https://assets.studio.internal/api/v2"

        # an over-indented comment line
    py = resolve.python.version
    setenv("STUDIO_PIPELINE_PY", "py%s%s" % (py.major, py.minor))

    if py.minor >= 11:
        # 3.11 builds carry the compiled publish extensions
        env.LD_LIBRARY_PATH.append("{{root}}/lib/py{0}{1}".format(py.major, py.minor))

    if "maya" in resolve:
        env.MAYA_SCRIPT_PATH.append("{root}/maya/scripts")
    if "nuke" in resolve:
        env.NUKE_PATH.append("{root}/nuke")

    info("studio_pipeline %s (python %s)" % (this.version, py))


def post_commands():
    env.STUDIO_PIPELINE_READY = "1"


def pre_test_commands():
    env.STUDIO_PIPELINE_TESTING = "1"
    env.STUDIO_ASSET_SERVICE = "https://assets-staging.studio.internal/api/v2"
