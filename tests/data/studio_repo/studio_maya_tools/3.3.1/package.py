name = "studio_maya_tools"
version = "3.3.1"
description = """Studio Maya toolset: shelves, publish UI, rigging and layout helpers.

One variant per supported Maya release.
"""
authors = ["maya-td", "r.tanaka"]
uuid = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
help = [
  ["Shelf docs", "https://wiki.studio.internal/maya/tools"],
  ["Report a bug", "https://jira.studio.internal/projects/MAYATOOLS"],
]
requires = [
  "studio_pipeline-2+",
  "~mtoa-5.3+",
]
variants = [
  ["maya-2023"],
  ["maya-2024"],
]
build_requires = ["maya_devkit"]
plugin_for = ["maya"]
relocatable = True
timestamp = 1600130091
previous_version = "3.2.0"
vcs = "git"
studio_department = "animation"
shelf_layout = {
  "Studio": ["publish", "load", "snapshot"],
  "Rigging": ["mirror_joints", "ik_fk_switch"],
  "Layout": ("camera_rig", "set_dress"),
}
tests = {
  "maya_smoke": {
    "command": "mayapy {root}/tests/smoke.py",
    "requires": ["maya"],
  },
}


def commands():
  # modules, scripts, icons, plug-ins
  env.MAYA_MODULE_PATH.append("{root}/modules")

  for sub in ["scripts", "python"]:
    env.MAYA_SCRIPT_PATH.append("{root}/%s" % sub)
  env.PYTHONPATH.append("{root}/python")
  env.XBMLANGPATH.append("{root}/icons/%B")

  maya_major = resolve.maya.version.major
  env.MAYA_PLUG_IN_PATH.append("{{root}}/plug-ins/maya{}".format(maya_major))

  if "mtoa" in resolve:
    # Arnold-specific AE templates
    env.MTOA_TEMPLATES_PATH.append("{root}/mtoa/templates")

  env.STUDIO_SHELF_ROOT = "{root}/shelves"
