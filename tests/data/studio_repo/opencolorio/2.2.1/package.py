name = "opencolorio"
version = "2.2.1"
description = "OpenColorIO color management library, with PyOpenColorIO bindings."
authors = ["Academy Software Foundation", "Sony Pictures Imageworks"]
uuid = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
help = [
    ["Docs", "https://opencolorio.readthedocs.io/en/latest/"],
    ["Studio color pipeline", "https://wiki.studio.internal/color/ocio"],
]
tools = ["ociocheck", "ocioconvert", "ociobakelut", "ociolutimage", "ociowrite"]
requires = ["imath-3.1+", "~python-3.9+<3.12"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130027
studio_department = "color"
default_config = {
    "name": "studio_aces_1.3",
    "working_space": "ACEScg",
    "views": ["ACES 1.0 - SDR Video", "Un-tone-mapped", "Raw"],
}


def commands():
    env.PATH.append("{root}/bin")
    env.LD_LIBRARY_PATH.prepend("{root}/lib64")

    if "python" in resolve:
        py = resolve.python.version
        # PyOpenColorIO lives under a python-versioned site-packages dir
        site = "lib64/python%d.%d/site-packages" % (py.major, py.minor)
        env.PYTHONPATH.prepend("{root}/" + site)

    # studio_config sets OCIO itself; only provide a fallback
    if "studio_config" not in resolve:
        env.OCIO = "{root}/configs/studio_aces_1.3/config.ocio"
