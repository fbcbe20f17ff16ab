"""rez's own tests that resolve contexts, with the solver shim active.

The test repositories are served as ``pyrer@`` paths (``--plain-paths``: as
the tests configure them), every resolve goes through the shim, and the shim's
counters are printed at the end:

    .venv/bin/python scripts/peer_rez_tests.py [--plain-paths] [pytest args...]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import rez

TESTS = Path(rez.__file__).parent / "tests"
FILES = [
    "test_context.py",
    "test_packages.py",
    "test_commands.py",
    "test_suites.py",
    "test_copy_package.py",
    "test_package_cache.py",
    "test_shells.py",
    "test_test.py",
]


def main() -> int:
    args = sys.argv[1:]
    plain = "--plain-paths" in args
    args = [a for a in args if a != "--plain-paths"]
    work = Path(tempfile.mkdtemp(prefix="pyrer-peer-"))
    os.environ.setdefault("PYRER_MEMO_DIR", str(work / "memo"))
    # what `rez selftest` sets up: a python package some tests resolve
    from rez.cli.selftest import create_python_package

    os.environ["__REZ_SELFTEST_RUNNING"] = "1"
    os.environ["__REZ_SELFTEST_PYTHON_REPO"] = str(work / "python_repo")
    create_python_package(str(work / "python_repo"))

    from rez.tests import util

    import rezplugins.solver_shim as shim

    original = util.TestBase.setup_config

    def setup_config(self: Any) -> None:
        paths = self.settings.get("packages_path")
        if paths and not plain:
            self.settings = dict(self.settings)
            self.settings["packages_path"] = [p if "@" in p else f"pyrer@{p}" for p in paths]
        original(self)

    util.TestBase.setup_config = setup_config  # type: ignore[method-assign]
    shim.activate()
    rc = pytest.main(
        [*(str(TESTS / f) for f in FILES), "-q", "-p", "no:cacheprovider", "-rf", *args]
    )
    print(shim.metrics.summary())
    return int(rc)


if __name__ == "__main__":
    sys.exit(main())
