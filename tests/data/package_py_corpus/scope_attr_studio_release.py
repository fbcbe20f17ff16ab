name = "lookdev_tools"
version = "3.1.0"
requires = ["python-3.9+", "~maya-2024"]

with scope("config") as c:
    # let releases go out from a repository without an upstream branch
    c.plugins.release_vcs.git.allow_no_upstream = True
    c.plugins.release_vcs.git.releasable_branches = ["main", "release/.*"]
    c.plugins.release_hook.emailer.recipients = ["pipeline@studio.example"]
    c.build_thread_count = 8
    release_packages_path = "/studio/packages/release"
