"""pyrer's solver shim: every resolve rez makes in this process goes through `pyrer.solve`.

Activate it with one line in a rezconfig.py (rez runs its config files as
Python)::

    import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve

Importing this package patches `rez.resolver.Resolver._solve` (now, if
`rez.resolver` is imported already, else right after it is imported), so the
first resolve of a process is covered too. rez's resolve cache (memcached),
contexts, .rxt files and environments are unchanged: only the solve is
replaced, and rez's own solver still runs where pyrer cannot be faithful
(package filters and ``--time``, package orderers, ``@late`` requires,
verbose solves, fail and time limits) or when pyrer reports a failed or
errored resolve, so rez's own messages are shown.

Environment: ``PYRER_SHIM=0`` switches the shim off, ``PYRER_SHIM_VALIDATE=1``
runs both solvers and logs divergences (logger ``pyrer.shim``, level WARNING),
``PYRER_SHIM_METRICS=FILE`` appends the counters of `metrics` at exit.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

from . import metrics

__all__ = ["activate", "deactivate", "is_active", "metrics"]

_TARGET = "rez.resolver"
_original_solve: Any = None


def is_active() -> bool:
    """True when `Resolver._solve` is the shim's."""
    mod = sys.modules.get(_TARGET)
    resolver = getattr(mod, "Resolver", None)
    return resolver is not None and getattr(resolver._solve, "_pyrer_shim", False)


def activate() -> None:
    """Patch `Resolver._solve` now, or as soon as `rez.resolver` is imported."""
    mod = sys.modules.get(_TARGET)
    if mod is not None and hasattr(mod, "Resolver"):
        _patch(mod)
    elif not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


def deactivate() -> None:
    """Restore rez's own `Resolver._solve`."""
    global _original_solve
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PatchOnImport)]
    mod = sys.modules.get(_TARGET)
    if mod is not None and _original_solve is not None:
        mod.Resolver._solve = _original_solve
        _original_solve = None


def _patch(mod: ModuleType) -> None:
    global _original_solve
    resolver_cls = mod.Resolver
    if getattr(resolver_cls._solve, "_pyrer_shim", False):
        return
    original = resolver_cls._solve

    def _solve(self: Any) -> Any:
        from .resolve import shim_solve

        return shim_solve(self, original)

    _solve._pyrer_shim = True  # type: ignore[attr-defined]
    _solve.__doc__ = original.__doc__
    _original_solve = original
    resolver_cls._solve = _solve


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds `rez.resolver` like the normal path finder, and patches it once it has run."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader)
        return spec


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PatchOnImport)]
        _patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


activate()
