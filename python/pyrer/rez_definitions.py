"""Whole package definitions from the memo: a warm ``rez env`` reads no package.py.

rez's filesystem package resources load their data with
`rez.serialise.load_from_file`, which execs the file (and reads it once more
for each function's source text). For files in a repository used as
``pyrer@LOCATION`` this module answers that call from the package memo
instead: the value stored is exactly what rez's loader returned for the
file, in a safe encoding (`pyrer.definition_codec`: no pickle, nothing runs
on read), served only while the file's stamp (mtime, ctime, size, inode) is
the one it had when rez loaded it. So every attribute rez reads (commands
as the same `SourceCode` text, tools, help, tests, custom attributes, ...)
is the one rez's own load gives, and an edit is seen at once.

What is remembered, so that serving it never differs from stock rez:

* files pyrer's static parser runs (`pyrer.runs_statically`): their
  evaluation depends on nothing but the file's bytes (literal assignments,
  string building over them, ``def``s, ``with scope`` blocks, lint-helper and
  quiet standard-library imports; no ``@early`` functions or other code that
  runs at load time), including those whose schema the parser
  leaves to rez (``tests``, ``config``);
* YAML definitions (plain data);
* files rez has to evaluate (imports, ``@early``, ...) only where rez itself
  would reuse an evaluation across processes (``cache_package_files`` with a
  ``memcached_uri``) or the studio opts in (``PYRER_MEMO_EVALUATED=1``, see
  `pyrer.rez_repository.serve_evaluated`); otherwise they are evaluated in
  every process, as stock rez does.

A file written by this process (``rez build`` / ``rez release``), a load
with a data callback (old release metadata), a forked child (LMDB handles
do not cross fork) and any memo problem all go to rez's own loader.

The hook covers resources of ``pyrer@`` repositories, and resources of rez's
``filesystem`` repository at a location listed as ``pyrer@LOCATION`` in
``packages_path`` (contexts saved through ``pyrer@`` name that type). Served or not,
their requirement lists are validated through `pyrer.rez_requests`. It is
installed when a ``pyrer@`` repository is created, and by ``import
pyrer.solver_shim`` as soon as rez's filesystem plugin is imported.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from pyrer import definition_codec, rez_requests
from pyrer._native import runs_statically

log = logging.getLogger("pyrer.definitions")

FILESYSTEM_PLUGIN = "rezplugins.package_repository.filesystem"
PREFIX = "pyrer@"

# What the hook did in this process: served, loaded, remembered, and why
# files were not remembered (not_static, unencodable, changed, ...).
counters: Counter[str] = Counter()

# location -> memo directory of the pyrer@ repository created for it (None:
# its memo is off)
_served_locations: dict[str, Path | None] = {}
_configured: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())


def serve_location(location: str, memo_directory: Path | None) -> None:
    """Definitions of files under `location` (canonical) come from the memo
    in `memo_directory` (the repository's; None when it has none)."""
    _served_locations[location.rstrip(os.sep)] = memo_directory


def _listed_locations() -> frozenset[str]:
    """Locations listed as ``pyrer@LOCATION`` in ``packages_path`` (re-read
    when the setting changes)."""
    global _configured
    try:
        from rez.config import config

        paths = tuple(str(p) for p in config.packages_path)
    except Exception:  # no usable config: only repositories created here
        return frozenset()
    if paths != _configured[0]:
        from rez.utils.filesystem import canonical_path
        from rez.utils.platform_ import platform_

        listed = frozenset(
            canonical_path(p[len(PREFIX) :], platform_).rstrip(os.sep)
            for p in paths
            if p.startswith(PREFIX)
        )
        _configured = (paths, listed)
    return _configured[1]


def _memo_for(filepath: str) -> Any:
    """The memo serving `filepath`'s definition, or None: not under a
    ``pyrer@`` location, memo off or unusable, or a forked child."""
    from pyrer.memo import open_memo

    # package files sit at LOCATION/family/version/file
    location = os.path.dirname(os.path.dirname(os.path.dirname(filepath)))
    if location in _served_locations:
        return open_memo(_served_locations[location])
    if location in _listed_locations():  # no repository of it in this process yet
        from pyrer.memo import memo_dir
        from pyrer.rez_repository import plugin_setting

        return open_memo(memo_dir(plugin_setting("memo_dir")))
    return None


def _stamp(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def is_static_file(memo: Any, path: str, stamp: tuple[int, int, int, int]) -> bool:
    """Whether the file, as it is at `stamp`, runs statically: the memo's
    solver entry says the parser read it, or the parser is asked."""
    try:
        entry = memo.lookup(path)
    except OSError:
        entry = None
    if entry is not None and entry[1] == stamp:
        return entry[0] == "static"
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        return runs_statically(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _rememberable(memo: Any, path: str, format_: Any, stamp: tuple[int, int, int, int]) -> str:
    """"" when rez's result for `path` may be served from now on, else why not."""
    from pyrer.rez_repository import serve_evaluated

    kind = getattr(format_, "name", "")
    if kind == "yaml" or serve_evaluated():
        return ""
    if kind != "py":
        return "format"
    return "" if is_static_file(memo, path, stamp) else "evaluated"


def _objects_set() -> bool:
    """Whether rez has set the objects @early functions see (a build's
    ``DeveloperPackage.get_reevaluated``) on this thread."""
    from rez import serialise

    return bool(getattr(getattr(serialise, "_set_objects", None), "variables", None))


def load_definition(
    original: Callable[..., Any],
    filepath: str,
    format_: Any,
    disable_memcache: bool,
) -> Any:
    """rez's ``load_from_file(filepath, format_)``, from the memo when it can."""
    from rez.serialise import file_cache

    def rez_load() -> Any:
        return original(filepath, format_, disable_memcache=disable_memcache)

    memo = _memo_for(filepath)
    # a file this process wrote (rez build / release) is read by rez from its
    # local copy (`rez.serialise.file_cache`, keyed on real paths)
    if memo is None or (file_cache and os.path.realpath(filepath) in file_cache):
        return rez_load()
    if _objects_set():
        # a build is re-evaluating its package (`set_objects`): @early
        # functions loaded now see `building` and friends as set, not as the
        # memo's definitions were made
        return rez_load()
    try:
        payload = memo.definition(filepath)
    except OSError as e:
        log.debug("pyrer: memo read failed for %s: %s", filepath, e)
        payload = None
    if payload is not None:
        try:
            data = definition_codec.decode(payload)
        except definition_codec.UndecodablePayload as e:
            log.debug("pyrer: memo definition of %s unreadable (%s); loading it", filepath, e)
        else:
            counters["served"] += 1
            return data
    stamp = _stamp(filepath)
    data = rez_load()
    counters["loaded"] += 1
    if stamp is None:
        return data
    why = _rememberable(memo, filepath, format_, stamp)
    if not why:
        try:
            encoded = definition_codec.encode(data)
        except definition_codec.Unencodable as e:
            why = "unencodable"
            log.debug("pyrer: %s not remembered: %s", filepath, e)
        else:
            try:
                remembered = memo.remember_definition(filepath, stamp, encoded)
            except OSError as e:  # a lost write only costs a load later
                log.debug("pyrer: memo write failed for %s: %s", filepath, e)
                remembered = False
            why = "" if remembered else "changed"
    counters[f"not_remembered.{why}" if why else "remembered"] += 1
    return data


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def load_from_file(
        filepath: str,
        format_: Any = None,
        update_data_callback: Any = None,
        disable_memcache: bool = False,
    ) -> Any:
        if format_ is None:
            from rez.serialise import FileFormat

            format_ = FileFormat.py
        if update_data_callback is not None:
            return original(filepath, format_, update_data_callback, disable_memcache)
        return load_definition(original, filepath, format_, disable_memcache)

    load_from_file._pyrer_definitions = True  # type: ignore[attr-defined]
    return load_from_file


def install_into(module: Any) -> None:
    """Routes `module`'s ``load_from_file`` (rez's filesystem plugin) through
    the memo, and its requirement lists through `pyrer.rez_requests`, once."""
    rez_requests.install_into(module)
    original = getattr(module, "load_from_file", None)
    if original is None or getattr(original, "_pyrer_definitions", False):
        return
    module.load_from_file = _wrap(original)


def install() -> None:
    """`install_into` rez's filesystem plugin (imported by now)."""
    import importlib

    install_into(importlib.import_module(FILESYSTEM_PLUGIN))


def is_installed() -> bool:
    import sys

    module = sys.modules.get(FILESYSTEM_PLUGIN)
    return bool(getattr(getattr(module, "load_from_file", None), "_pyrer_definitions", False))
