"""The installed wheel: rez finds the plugins, and rez's own files stay rez's."""

from __future__ import annotations

from importlib.metadata import entry_points, files
from pathlib import Path

from pytest import MonkeyPatch


def test_wheel_owns_no_rez_files() -> None:
    owned = [str(f) for f in files("pyrer") or []]
    plugin_files = [f for f in owned if f.startswith("rezplugins/")]
    # in rez's own rezplugins package, only the solver shim (imported by name
    # from rezconfig); the plugins rez scans for are in pyrer's own package
    assert plugin_files and all(f.startswith("rezplugins/solver_shim/") for f in plugin_files)
    assert "pyrer/rezplugins/package_repository/pyrer.py" in owned
    assert "pyrer/rezplugins/command/pyrer-index.py" in owned


def test_rez_finds_the_repository_plugin(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    # no rez.plugins.* entry points: rez 3.3/3.4 raise out of every command
    # when an entry point fails to import (see pyproject.toml)
    assert not [ep for ep in entry_points(group="rez.plugins.package_repository")
                if ep.name == "pyrer"]  # fmt: skip
    assert not [ep for ep in entry_points(group="rez.plugins.command") if ep.name == "pyrer-index"]
    import pyrer.rez_repository
    from rez.plugin_managers import plugin_manager

    cls = plugin_manager.get_plugin_class("package_repository", "pyrer")
    assert cls is pyrer.rez_repository.PyrerPackageRepository
    assert plugin_manager.get_plugin_class("command", "pyrer-index").name() == "pyrer-index"
    import pyrer
    from rez.package_repository import package_repository_manager

    monkeypatch.setenv("PYRER_MEMO", "0")
    repo = cls(str(tmp_path), package_repository_manager.pool)
    assert isinstance(repo.load_family, pyrer.FamilySource)
    assert repo.load_family("nothing_here") == []
