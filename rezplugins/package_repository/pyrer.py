"""rez package repository plugin ``pyrer``: ``packages_path = ["pyrer@/sw/pkg"]``.

The repository lays packages out exactly as rez's filesystem repository
does (and inherits all of its behaviour: search, view, build, release), and
adds `load_family`, the callback `pyrer.solve` uses to load a family's
solver data.
"""

from __future__ import annotations

import os
from typing import Any

from pyrer import PackageData
from pyrer.rez_package import package_data_from_rez
from rez.packages import Package
from rez.version import VersionRange
from rezplugins.package_repository.filesystem import FileSystemPackageRepository


class PyrerPackageRepository(FileSystemPackageRepository):
    """rez's filesystem layout, with solver data served by pyrer."""

    # No settings of our own in rez's config (rez's plugin folder and its
    # rezconfig belong to rez); the filesystem settings still apply.
    schema_dict: dict[str, Any] = {}

    @classmethod
    def name(cls) -> str:
        return "pyrer"

    def _uid(self) -> tuple:
        uid = ["pyrer", self.location]
        if os.path.exists(self.location):
            uid.append(int(os.stat(self.location).st_ino))
        return tuple(uid)

    def load_family(self, name: str, version_range: str | None = None) -> list[PackageData]:
        """Solver data of family `name` in this repository, within `version_range`.

        Returns [] when the family is not here. Raises `pyrer.FallbackToRez`
        for a package pyrer cannot describe faithfully (``@late`` requires).
        """
        family = self.get_package_family(name)
        if family is None:
            return []
        range_ = VersionRange(version_range) if version_range else None
        out = []
        for resource in self.iter_packages(family):
            pkg = Package(resource)
            if range_ is None or pkg.version in range_:
                out.append(package_data_from_rez(pkg))
        return out


def register_plugin() -> type[PyrerPackageRepository]:
    return PyrerPackageRepository
