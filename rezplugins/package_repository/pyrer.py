"""rez package repository plugin ``pyrer``: ``packages_path = ["pyrer@/sw/pkg"]``.

The repository lays packages out exactly as rez's filesystem repository
does and inherits all of its behaviour (search, view, build, release,
contexts). On top, `load_family` gives `pyrer.solve` a family's solver
data from the LMDB package memo: a warm memo answers from one directory
listing, one stat per version and one LMDB read, without opening any
package.py. Misses go to pyrer's static parser and are written back; files
the parser declines are loaded by rez's own evaluator on every load, as stock
rez does, unless rez itself caches evaluated files (``cache_package_files``
with a ``memcached_uri``) or the studio opts in (see `serve_evaluated`);
``@late``-bound requires send the resolve to rez's own solver.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from pyrer import PackageData
from pyrer._native import load_family as _load_family
from pyrer.memo import explain, memo_dir, open_memo
from pyrer.rez_package import FallbackToRez, late_bound_fields
from rez.packages import Package
from rezplugins.package_repository.filesystem import (
    FileSystemPackageRepository,
    FileSystemPackageResource,
)

from rezplugins.package_repository import filesystem

log = logging.getLogger("pyrer.repository")


class PyrerPackageRepository(FileSystemPackageRepository):
    """rez's filesystem layout, with solver data served by pyrer."""

    # rez's plugin folder and its rezconfig belong to rez, so this plugin
    # ships no config defaults; settings are read with defaults below.
    schema_dict: dict[str, Any] = {}

    @classmethod
    def name(cls) -> str:
        return "pyrer"

    def __init__(self, location: str, resource_pool: Any, **kwargs: Any) -> None:
        super().__init__(location, resource_pool, **kwargs)
        self.load_counters: Counter[str] = Counter()
        self._memo = open_memo(memo_dir(_plugin_setting("memo_dir")))
        self._memo_pid = os.getpid()
        self.serve_evaluated = serve_evaluated()

    def _uid(self) -> tuple:
        uid = ["pyrer", self.location]
        if os.path.exists(self.location):
            uid.append(int(os.stat(self.location).st_ino))
        return tuple(uid)

    @property
    def memo(self) -> Any:
        """The `pyrer.Memo` in use, or None."""
        return self._memo

    def load_family(self, name: str, version_range: str | None = None) -> list[PackageData]:
        """Solver data of family `name` in this repository, within `version_range`.

        Returns [] when the family is not here. Raises `pyrer.FallbackToRez`
        where only rez can answer faithfully (``@late`` requires, combined
        family files, a version directory without a definition file, a
        file rez fails to load).
        """
        if self._memo is not None and self._memo_pid != os.getpid():
            # LMDB handles must not cross fork(): a forked child goes without
            log.debug("pyrer: forked process, package memo not used")
            self._memo = None
        load = _load_family(
            self.location,
            name,
            version_range,
            self._memo,
            serve_evaluated=self.serve_evaluated,
            **self.layout_settings(),
        )
        counters = self.load_counters
        counters["families"] += 1
        counters.update(load.counters)
        for notice in load.notices:
            _warn_once(explain(notice, self._memo.path) if self._memo is not None else notice)
        if load.needs_rez:
            counters["needs_rez"] += 1
            raise FallbackToRez(load.needs_rez, load.needs_rez_kind or "layout")
        packages = list(load.packages)
        for version, path, stamp, reason in load.to_evaluate:
            packages.append(self.evaluate_file(name, version, path, stamp, reason))
        log.debug(
            "pyrer: load_family(%s, %r) in %s: %d packages, %s",
            name, version_range, self.location, len(packages), dict(load.counters),
        )
        return packages

    def layout_settings(self) -> dict[str, Any]:
        """The settings that decide, as in rez, which files a family has."""
        settings = filesystem._settings
        return {
            "package_filenames": list(settings.package_filenames),
            "allow_unversioned": bool(_config().allow_unversioned_packages),
            "check_definition_files": bool(settings.check_package_definition_files),
            "honour_ignore": not self.disable_pkg_ignore,
        }

    def package_resource(self, name: str, version: str) -> Any:
        """rez's package resource for a package `load_family` served, built
        from its handle as rez's own family listing builds it (no listing)."""
        return self.get_resource(
            FileSystemPackageResource.key, location=self.location, name=name, version=version
        )

    def evaluate_file(
        self, name: str, version: str, path: str, stamp: tuple, reason: str
    ) -> PackageData:
        """Loads one file with rez's evaluator; remembers the result where
        that is faithful (`serve_evaluated`), and ``@late`` requires always
        (they only ever send the resolve to rez's solver).

        Raises `FallbackToRez` for ``@late`` requires or a file rez cannot load.
        """
        self.load_counters["evaluated"] += 1
        try:
            resource = self.get_resource(
                FileSystemPackageResource.key, location=self.location, name=name,
                version=version,
            )
            pkg = Package(resource)
            late = late_bound_fields(pkg)
            if late:
                if self._memo is not None:
                    self._memo.remember(path, stamp, None)
                raise FallbackToRez(f"{path}: @late-bound {', '.join(late)}", "late_bound")
            data = PackageData.from_rez(pkg)
        except FallbackToRez:
            raise
        except Exception as e:  # rez could not load it: let rez's solver say so
            raise FallbackToRez(
                f"{path}: rez cannot load it ({reason}): {e}", "rez_cannot_load"
            ) from e
        # YAML is plain data: its evaluation never changes with the environment
        if self._memo is not None and (self.serve_evaluated or path.endswith(".yaml")):
            try:
                self._memo.remember(path, stamp, data.requires, data.variants)
            except OSError as e:
                _warn_once(f"cannot write the package memo: {explain(str(e), self._memo.path)}")
        return data


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """A memo problem is logged once per process, not once per family."""
    if message not in _warned:
        _warned.add(message)
        log.warning("pyrer: %s", message)


def serve_evaluated() -> bool:
    """Whether rez's evaluated results may be served from the memo.

    Stock rez evaluates a package.py that has ``@early`` functions, imports
    and the like again in every process, so its result follows the
    environment and any file it reads; only with ``cache_package_files`` and
    a ``memcached_uri`` does rez itself reuse an evaluation across processes
    (keyed on the file's path, inode and mtime, as the memo is). The memo
    does the same by default; ``PYRER_MEMO_EVALUATED=1`` or the plugin
    setting ``remember_evaluated = True`` opt in regardless (for studios whose
    package.py files never depend on the environment), ``=0`` / ``False``
    opt out.
    """
    env = os.environ.get("PYRER_MEMO_EVALUATED", "").strip().lower()
    if env:
        return env in ("1", "true", "on", "yes")
    setting = _plugin_setting("remember_evaluated")
    if setting is not None:
        return bool(setting)
    config = _config()
    return bool(config.cache_package_files and config.memcached_uri)


def _config() -> Any:
    from rez.config import config

    return config


def _plugin_setting(key: str) -> Any:
    """A setting under ``plugins.package_repository.pyrer`` in rezconfig, if set."""
    try:
        section = _config().plugins.package_repository.pyrer
        return getattr(section, key, None)
    except Exception:
        return None


def register_plugin() -> type[PyrerPackageRepository]:
    return PyrerPackageRepository


__all__ = ["PyrerPackageRepository", "register_plugin"]
