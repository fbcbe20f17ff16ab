"""rez package repository plugin ``pyrer``: ``packages_path = ["pyrer@/sw/pkg"]``.

rez finds it through `pyrer.rezplugins.package_repository.pyrer` (rez's plugin
scan, every rez 3.x, wherever pyrer is on ``sys.path``).

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

``pyrer@`` is a way of reading a filesystem repository, not a repository of
its own kind: the resources it hands out are rez's filesystem resources with
handles that name rez's ``filesystem`` repository at the same location, and
its uid is the filesystem repository's. So what rez records of a resolve (the
variant handles of a saved context, the memcached resolve cache's keys) is
what stock rez records: a context saved through ``pyrer@`` loads in a rez
without pyrer, and the package paths a context records are written in rez's
plain form (`pyrer.rez_context`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from rez.exceptions import ResourceError
from rez.packages import Package
from rez.utils.filesystem import canonical_path
from rez.utils.platform_ import platform_
from rez.utils.resources import ResourceHandle
from rezplugins.package_repository import filesystem
from rezplugins.package_repository.filesystem import (
    FileSystemPackageRepository,
    FileSystemPackageResource,
)

from pyrer import FamilySource, PackageData, rez_context, rez_definitions, rez_rex
from pyrer.memo import explain, memo_dir, open_memo
from pyrer.rez_package import FallbackToRez, late_bound_fields

log = logging.getLogger("pyrer.repository")

# the repository type the handles of pyrer's resources name
FILESYSTEM: str = FileSystemPackageRepository.name()


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
        rez_context.install()  # contexts record this repository as its plain path
        self._memo_dir = memo_dir(plugin_setting("memo_dir"))
        rez_definitions.serve_location(self.location, self._memo_dir)  # whole definitions
        rez_definitions.install()
        rez_rex.install()
        self.serve_evaluated = serve_evaluated()
        # `load_family(name, version_range=None) -> list[PackageData]`, run in
        # Rust: `pyrer.solve(..., load_family=repo.load_family)` calls it
        # without Python (the memo, the parser; rez's evaluator only for the
        # files the parser declines). It raises `FallbackToRez` where only rez
        # can answer faithfully (``@late`` requires, combined family files, a
        # version directory without a definition file, a file rez fails to
        # load). A forked child does not use the parent's memo handle.
        self.load_family = FamilySource(
            self.location,
            open_memo(self._memo_dir),
            self.evaluate_file,
            serve_evaluated=self.serve_evaluated,
            **self.layout_settings(),
        )

    def make_resource_handle(self, resource_key: str, **variables: Any) -> ResourceHandle:
        """rez's handle for a resource of this repository, naming rez's
        ``filesystem`` repository type (the layout is the same), so that a
        saved context or a cached resolve loads in any rez."""
        kind = variables.pop("repository_type", FILESYSTEM)
        if kind not in (FILESYSTEM, self.name()):
            raise ResourceError(
                f"repository_type mismatch - requested {kind!r}, repository_type is {FILESYSTEM!r}"
            )
        handle = super().make_resource_handle(resource_key, **variables)
        return ResourceHandle(handle.key, {**handle.variables, "repository_type": FILESYSTEM})

    def get_resource_from_handle(self, resource_handle: Any, verify_repo: bool = True) -> Any:
        """The resource of a handle naming this location as a ``filesystem``
        repository, or as a ``pyrer`` one (contexts saved by pyrers before
        handles named the filesystem type: their variants load as filesystem
        variants, as if stock rez had saved them)."""
        variables = dict(resource_handle.variables)
        kind = variables.get("repository_type")
        if verify_repo:
            if kind not in (FILESYSTEM, self.name()):
                raise ResourceError(
                    f"repository_type mismatch - requested {kind!r}, "
                    f"repository_type is {FILESYSTEM!r}"
                )
            location = variables.get("location")
            if location != self.location and canonical_path(location, platform_) != self.location:
                raise ResourceError(
                    f"location mismatch - requested {location!r}, "
                    f"repository location is {self.location!r}"
                )
        if kind != FILESYSTEM:
            variables["repository_type"] = FILESYSTEM
            resource_handle = ResourceHandle(resource_handle.key, variables)
        return super().get_resource_from_handle(resource_handle, verify_repo=False)

    @property
    def memo(self) -> Any:
        """The `pyrer.Memo` in use, or None (always in a forked child: LMDB
        handles must not cross fork(); `load_family` then reads from disk)."""
        return open_memo(self._memo_dir)

    @property
    def load_counters(self) -> Counter[str]:
        """Tallies of `load_family` since the repository was created."""
        return Counter(self.load_family.counters)

    def refresh_settings(self) -> None:
        """Re-reads the layout settings from rez's config (once per resolve)."""
        self.load_family.configure(serve_evaluated=self.serve_evaluated, **self.layout_settings())

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
        that is faithful (files that run statically, `serve_evaluated`), and
        ``@late`` requires always (they only ever send the resolve to rez's
        solver).

        Raises `FallbackToRez` for ``@late`` requires or a file rez cannot load.
        """
        try:
            resource = self.get_resource(
                FileSystemPackageResource.key, location=self.location, name=name,
                version=version,
            )
            pkg = Package(resource)
            late = late_bound_fields(pkg)
            if late:
                self._remember(path, stamp, None, None, 0)
                raise FallbackToRez(f"{path}: @late-bound {', '.join(late)}", "late_bound")
            data = PackageData.from_rez(pkg)
        except FallbackToRez:
            raise
        except Exception as e:  # rez could not load it: let rez's solver say so
            raise FallbackToRez(
                f"{path}: rez cannot load it ({reason}): {e}", "rez_cannot_load"
            ) from e
        static = self.runs_statically(path, stamp)
        if static or self.remembers_evaluation(path):
            self._remember(path, stamp, data.requires, data.variants, data.timestamp, static)
        return data

    def runs_statically(self, path: str, stamp: tuple) -> bool:
        """Whether rez's evaluation of `path` depends on nothing but its bytes
        (the parser ran the module and left only its schema to rez, as for
        ``tests`` or ``config``): remembered and served as a parsed file is."""
        memo = self.memo
        return memo is not None and rez_definitions.is_static_file(memo, path, stamp)

    def remembers_evaluation(self, path: str) -> bool:
        """Whether rez's evaluation of `path` is kept in (and served from) the
        memo: where that is faithful (`serve_evaluated`), and always for YAML,
        plain data whose evaluation never changes with the environment."""
        return self.serve_evaluated or path.endswith(".yaml")

    def _remember(
        self,
        path: str,
        stamp: tuple,
        requires: list[str] | None,
        variants: list[list[str]] | None,
        timestamp: int,
        runs_statically: bool = False,
    ) -> None:
        memo = self.memo
        if memo is None:
            return
        try:
            memo.remember(path, stamp, requires, variants, timestamp, runs_statically)
        except OSError as e:  # a lost write only costs an evaluation later
            _warn_once(f"cannot write the package memo: {explain(str(e), memo.path)}")


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
    setting = plugin_setting("remember_evaluated")
    if setting is not None:
        return bool(setting)
    config = _config()
    return bool(config.cache_package_files and config.memcached_uri)


def _config() -> Any:
    from rez.config import config

    return config


def plugin_setting(key: str) -> Any:
    """A setting under ``plugins.package_repository.pyrer`` in rezconfig, if set."""
    try:
        section = _config().plugins.package_repository.pyrer
        return getattr(section, key, None)
    except Exception:
        return None


def register_plugin() -> type[PyrerPackageRepository]:
    return PyrerPackageRepository


__all__ = ["PyrerPackageRepository", "register_plugin"]
