# -*- coding: utf-8 -*-
name = "studio_nuke_tools"
version = "1.1.0"
description = """Studio Nuke gizmos, menus and publish panels.

Includes the Café grade presets from the Montréal team
and the Ünïcode-safe write-node naming.
"""
authors = ["comp-td", "É. Gagnon"]
uuid = "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c"
help = "https://wiki.studio.internal/comp/nuke_tools"
requires = [
    "~nuke-14+",
    "studio_pipeline-2+",
    "~opencolorio-2.2+",
]
plugin_for = ["nuke"]
relocatable = True
timestamp = 1600130101
previous_version = "1.0.4"
studio_department = "compositing"
gizmo_colors = {"grade": 0x4c7fbf, "merge": 0x7f4cbf, "default_alpha": 0.85}

def commands():
    # gizmos / menus / python panels
    for sub in ("nuke", "gizmos", "toolsets"):
        env.NUKE_PATH.append("{root}/" + sub)
    env.PYTHONPATH.append("{root}/python")

    if "nuke" in resolve:
        setenv("STUDIO_NUKE_TOOLS_TARGET", "nuke%d" % resolve.nuke.version.major)

    comment("studio_nuke_tools — Café presets enabled")
    env.STUDIO_NUKE_PRESETS = "{root}/presets/café"