name = "usd"
version = "23.11"
description = "Pixar Universal Scene Description, studio monolithic build."
authors = ["Pixar Animation Studios"]
uuid = "c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f"
help = [
    ["USD docs", "https://openusd.org/release/index.html"],
    ["Release notes", "https://github.com/PixarAnimationStudios/OpenUSD/blob/release/CHANGELOG.md"],
]
tools = [
    "usdcat",
    "usddiff",
    "usdedit",
    "usdrecord",
    "usdtree",
    "usdview",
    "usdzip",
    "sdfdump",
    "usdchecker",
]
requires = [
    "boost-1.80",
    "tbb-2020",
    "openexr-3.1",
    "imath-3.1",
    "~opencolorio-2.2",
    "~alembic-1.8",
]
variants = [
    ["python-3.9"],
    ["python-3.11"],
]
build_requires = ["cmake-3.24+"]
private_build_requires = ["gcc-11"]
relocatable = True
timestamp = 1600130030
previous_version = "23.08"
build_options = {
    "PXR_BUILD_IMAGING": True,
    "PXR_BUILD_USD_IMAGING": True,
    "PXR_ENABLE_MATERIALX_SUPPORT": False,
    "PXR_BUILD_ALEMBIC_PLUGIN": True,
    "jobs": 32,
}


def commands():
    env.PATH.append("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.PYTHONPATH.prepend("{root}/lib/python")

    # plugin search paths: core USD first, then the optional alembic plugin
    env.PXR_PLUGINPATH_NAME.append("{root}/plugin/usd")
    if "alembic" in resolve:
        env.PXR_PLUGINPATH_NAME.append("{root}/plugin/usdAbc")

    if "houdini" in resolve:
        info("usd-%s: houdini %s is in the resolve; Solaris uses its own USD build"
             % (this.version, resolve.houdini.version))
