"""rez package repository plugin ``pyrer`` (``packages_path = ["pyrer@/sw/pkg"]``).

rez (3.0 and later) finds this module by scanning each top-level package on
``sys.path`` for a ``rezplugins`` folder, so it is found wherever pyrer is
importable: beside rez in site-packages, ``pip install --target DIR`` +
``PYTHONPATH=DIR``, or a rez package of its own. The plugin itself is
`pyrer.rez_repository`.

Where pyrer cannot load (its native module built for another platform or
Python, a broken copy), the plugin is skipped with one warning per process,
never an exception: rez keeps working, and only ``pyrer@`` paths are unknown.
"""

from __future__ import annotations

from typing import Any

try:
    from pyrer.rez_repository import PyrerPackageRepository
except Exception as e:  # rez would swallow the reason: say it once
    PyrerPackageRepository: Any = None  # type: ignore[no-redef]
    from rez.utils.logging_ import print_warning

    print_warning(f"pyrer: the pyrer@ package repository is unavailable here: {e}")


def register_plugin() -> Any:
    """The plugin class, or None (rez then skips the plugin)."""
    return PyrerPackageRepository


__all__ = ["PyrerPackageRepository", "register_plugin"]
