"""The installed wheel: rez finds the plugins, and rez's own files stay rez's."""

from __future__ import annotations

from importlib.metadata import entry_points, files
from pathlib import Path

from pytest import MonkeyPatch


def test_wheel_owns_no_rez_files() -> None:
    owned = [str(f) for f in files("pyrer") or []]
    plugin_files = [f for f in owned if f.startswith("rezplugins/")]
    assert "rezplugins/package_repository/pyrer.py" in plugin_files
    assert any(f.startswith("rezplugins/solver_shim/") for f in plugin_files)
    # rez's package markers and config belong to rez: installing or removing
    # pyrer must leave them alone
    assert not [f for f in plugin_files if f.endswith(("__init__.py", "rezconfig.py"))
                and not f.startswith("rezplugins/solver_shim/")]


def test_rez_finds_the_repository_plugin(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    names = {ep.name: ep.value for ep in entry_points(group="rez.plugins.package_repository")}
    assert names.get("pyrer") == "pyrer.rez_repository"
    from rez.plugin_managers import plugin_manager

    cls = plugin_manager.get_plugin_class("package_repository", "pyrer")
    assert cls.name() == "pyrer"
    import pyrer
    from rez.package_repository import package_repository_manager

    monkeypatch.setenv("PYRER_MEMO", "0")
    repo = cls(str(tmp_path), package_repository_manager.pool)
    assert isinstance(repo.load_family, pyrer.FamilySource)
    assert repo.load_family("nothing_here") == []
