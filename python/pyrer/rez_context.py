"""What a rez context records of ``pyrer@`` package paths: rez's plain form.

``pyrer@/sw/pkg`` reads the filesystem repository ``/sw/pkg`` (the layout is
rez's own), so a context resolved through it records the path as stock rez
does, ``/sw/pkg``: in the saved .rxt (``package_paths``) and in the
environment it builds (``REZ_USED_PACKAGES_PATH``). A rez without pyrer then
loads the context (``rez context -v`` looks the paths up as repositories), and
the saved file and the environment are stock rez's. The context object keeps
the paths it was given, so a re-resolve in this process still goes through
pyrer.

`install` wraps ``ResolvedContext.to_dict`` (every .rxt and every tracked
context is written from it) and ``ResolvedContext._execute`` (which binds
``REZ_USED_PACKAGES_PATH``); each ``pyrer@`` repository calls it when it is
created, so before any resolve through ``pyrer@`` ends, and before a context
saved with ``pyrer@`` paths by an older pyrer is loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Callable

PREFIX = "pyrer@"


def rez_paths(paths: Iterable[str]) -> list[str]:
    """`paths` with each ``pyrer@LOCATION`` written as ``LOCATION``, first
    occurrence kept (rez dedups a context's paths the same way)."""
    out: list[str] = []
    for path in paths:
        plain = path[len(PREFIX) :] if path.startswith(PREFIX) else path
        if plain not in out:
            out.append(plain)
    return out


def _has_pyrer_paths(paths: Any) -> bool:
    return isinstance(paths, list) and any(
        isinstance(p, str) and p.startswith(PREFIX) for p in paths
    )


def _wrap_to_dict(original: Callable[..., dict]) -> Callable[..., dict]:
    @functools.wraps(original)
    def to_dict(self: Any, *args: Any, **kwargs: Any) -> dict:
        data = original(self, *args, **kwargs)
        if _has_pyrer_paths(data.get("package_paths")):
            data["package_paths"] = rez_paths(data["package_paths"])
        return data

    return to_dict


def _wrap_execute(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        paths = getattr(self, "package_paths", None)
        if not _has_pyrer_paths(paths):
            return original(self, *args, **kwargs)
        self.package_paths = rez_paths(paths)
        try:
            return original(self, *args, **kwargs)
        finally:
            self.package_paths = paths

    return _execute


_WRAPPERS = {"to_dict": _wrap_to_dict, "_execute": _wrap_execute}


def install() -> None:
    """Wraps `ResolvedContext`'s writers once per process (a rez without one
    of them is left as it is)."""
    from rez.resolved_context import ResolvedContext

    for name, wrap in _WRAPPERS.items():
        method = getattr(ResolvedContext, name, None)
        if method is None or getattr(method, "_pyrer_rez_paths", False):
            continue
        wrapped = wrap(method)
        wrapped._pyrer_rez_paths = True  # type: ignore[attr-defined]
        setattr(ResolvedContext, name, wrapped)


def is_installed() -> bool:
    from rez.resolved_context import ResolvedContext

    return all(getattr(getattr(ResolvedContext, n, None), "_pyrer_rez_paths", False)
               for n in _WRAPPERS)  # fmt: skip
