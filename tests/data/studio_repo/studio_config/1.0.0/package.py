name = "studio_config"
version = "1.0.0"
description = "Studio-wide configuration: OCIO config, show roots, launcher defaults."
authors = ["pipeline-td"]
uuid = "f0e1d2c3-b4a5-4968-9788-a9b8c7d6e5f4"
help = "https://wiki.studio.internal/pipeline/studio_config"
requires = []
relocatable = True
cachable = False
build_command = False
timestamp = 1600130070
format_version = 2
config = {
    "plugins": {
        "release_vcs": {
            "git": {"allow_no_upstream": True},
        },
    },
}
studio_roots = {
    "shows": "/studio/shows",
    "assets": "/studio/assets",
    "scratch": "/studio/scratch",
}
supported_sites = ("london", "montreal", "vancouver")
disk_quota_tb = 1.5


def _build_id():
    # only used by the release script; rez strips this from the package
    return "cfg-%s" % version


def commands():
    env.STUDIO_CONFIG_ROOT = "{root}"
    env.STUDIO_SHOWS_ROOT = "/studio/shows"
    env.OCIO = "{root}/ocio/studio_aces_1.3/config.ocio"

    env.PYTHONPATH.append("{root}/python")
