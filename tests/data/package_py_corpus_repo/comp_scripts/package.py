# unversioned: rez lists it with an empty version
name = "comp_scripts"
requires = ["nuke"]
