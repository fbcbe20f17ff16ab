"""rez package repository plugin ``pyrer``, found by rez's scan of the
``rezplugins`` namespace (rez 3.0 and later) where pyrer is installed beside
rez. The plugin itself lives in `pyrer.rez_repository`, which is also the
target of the ``rez.plugins.package_repository`` entry point (rez 3.3 and
later): an entry point into pyrer's own package imports wherever pyrer is on
``sys.path``, even when it is installed apart from rez (``pip install
--target`` + ``PYTHONPATH``), where this namespace module is not found.
"""

from pyrer.rez_repository import PyrerPackageRepository, register_plugin

__all__ = ["PyrerPackageRepository", "register_plugin"]
