# -*- coding: utf-8 -*-
from rez.utils.lint_helper import env, building, scope

name = "maya_tools"
version = "2.4.1"
authors = ["pipeline"]
requires = ["python-3.9+<4", "maya-2024"]
variants = [["platform-linux"], ["platform-windows"]]


def commands():
    env.PYTHONPATH.append("{root}/python")
    if building:
        env.MAYA_TOOLS_BUILD = "1"
