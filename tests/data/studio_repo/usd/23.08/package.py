name = "usd"
version = "23.08"
description = "Pixar Universal Scene Description, studio monolithic build."
authors = ["Pixar Animation Studios"]
uuid = "c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f"
tools = ["usdcat", "usddiff", "usdedit", "usdrecord", "usdtree", "usdview", "usdzip", "sdfdump"]
requires = [
    "boost-1.80",
    "tbb-2020",
    "openexr-3.1",
    "imath-3.1",
    "~opencolorio-2.2",
    "~alembic-1.8",
]
variants = [["python-3.9"]]
build_requires = ["cmake-3.24+"]
private_build_requires = ["gcc-9"]
relocatable = True
timestamp = 1600130029


def commands():
    env.PATH.append("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib")
    env.PYTHONPATH.prepend("{root}/lib/python")
    env.PXR_PLUGINPATH_NAME.append("{root}/plugin/usd")
