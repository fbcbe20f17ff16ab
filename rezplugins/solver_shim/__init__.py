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

import sys
from types import ModuleType
from typing import Any

from pyrer.import_patch import cancel, patch_on_import

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
    patch_on_import(_TARGET, _patch)


def deactivate() -> None:
    """Restore rez's own `Resolver._solve`."""
    global _original_solve
    cancel(_TARGET)
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


activate()
