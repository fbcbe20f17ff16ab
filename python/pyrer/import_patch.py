"""Patching a module of rez as soon as it is imported, or now if it is.

rez's config files run while ``rez.config`` is still being set up, so a
rezconfig line cannot import rez's other modules itself; it registers a
patch here, and the patch runs right after the module's own code.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Callable

Patch = Callable[[ModuleType], None]


def patch_on_import(target: str, patch: Patch) -> None:
    """`patch(module)` now if `target` is imported, else once it is."""
    module = sys.modules.get(target)
    spec = getattr(module, "__spec__", None)
    if module is not None and not getattr(spec, "_initializing", False):
        patch(module)
        return
    if not any(isinstance(f, _PatchOnImport) and f.target == target for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport(target, patch))


def cancel(target: str) -> None:
    """Drops a patch registered for `target` that has not run yet."""
    sys.meta_path[:] = [
        f for f in sys.meta_path if not (isinstance(f, _PatchOnImport) and f.target == target)
    ]


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds `target` like the normal path finder, and patches it once it has run."""

    def __init__(self, target: str, patch: Patch) -> None:
        self.target = target
        self.patch = patch

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.target:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader, self)
        return spec


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, finder: _PatchOnImport) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        cancel(self._finder.target)
        self._finder.patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)
