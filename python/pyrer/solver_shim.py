"""``import pyrer.solver_shim`` in a rezconfig.py: the solver shim
(`rezplugins.solver_shim`), wherever pyrer is installed.

The shim's package sits in the wheel's top-level ``rezplugins`` folder. Beside
rez that folder is rez's own ``rezplugins`` package; installed apart from rez
(``pip install --target DIR`` + ``PYTHONPATH=DIR``, a rez package of its own)
it is another folder, which this module adds to the search path of rez's
``rezplugins`` package (the wheel adds no other module there), so that
``rezplugins.solver_shim`` imports and activates either way. It also routes
package definitions of ``pyrer@`` locations through the memo
(`pyrer.rez_definitions`), for contexts loaded without a resolve too, and
spares rex the formatting of strings it leaves unchanged (`pyrer.rez_rex`).
"""

from __future__ import annotations

import os

import rezplugins

_here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rezplugins")
if os.path.isdir(os.path.join(_here, "solver_shim")) and _here not in list(rezplugins.__path__):
    rezplugins.__path__.append(_here)

from pyrer import rez_definitions, rez_rex  # noqa: E402
from pyrer.import_patch import patch_on_import  # noqa: E402
from rezplugins.solver_shim import activate, deactivate, is_active, metrics  # noqa: E402

# contexts loaded in this process read definitions of pyrer@ locations from the memo
patch_on_import(rez_definitions.FILESYSTEM_PLUGIN, rez_definitions.install_into)
# rex formats the plain strings of a context's environment at no cost
rez_rex.install()

__all__ = ["activate", "deactivate", "is_active", "metrics"]
