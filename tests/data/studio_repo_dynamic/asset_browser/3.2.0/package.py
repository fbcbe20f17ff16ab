# -*- coding: utf-8 -*-
from rez.utils.lint_helper import env, building, this  # noqa: F401

name = "asset_browser"
version = "3.2.0"
description = "Browse, filter and load published assets."
authors = ["pipeline-td"]

_qt = ["pyside2-5.15"]
_runtime = ["python-3.9+<3.12", "studio_pipeline-2"]


@early()
def requires():
    """Qt is only needed at runtime; the build only needs the pipeline."""
    if building:
        return _runtime
    return _runtime + _qt


@early()
def uuid():
    return "repository." + this.name


tests = {
    "unit": {
        "command": "pytest -q {root}/tests",
        "requires": ["pytest-7"],
        "run_on": ["default", "pre_release"],
    },
    "lint": "flake8 {root}/python",
}


def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
