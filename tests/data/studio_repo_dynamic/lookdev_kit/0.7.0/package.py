name = "lookdev_kit"
version = "0.7.0"

_hosts = {
    "maya": ["maya-2023", "maya-2024"],
}


@early()
def variants():
    # one variant per supported host version
    return [["maya-2023", "mtoa-5"], ["maya-2024", "mtoa-5"]]


@early()
def private_build_requires():
    return ["cmake-3.20+"] if build_variant_index == 0 else ["cmake-3.20+", "ninja"]


requires = ["studio_pipeline-2"]

with scope("config") as c:
    c.release_packages_path = "/studio/rez/release"
    c.plugins.release_vcs.git.allow_no_upstream = True
