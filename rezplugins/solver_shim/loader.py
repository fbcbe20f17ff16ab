"""The `load_family` callback the shim gives `pyrer.solve` for one resolve.

It merges the resolver's package paths the way rez's `iter_packages` does: for
a (name, version) found in several repositories, the first path wins. A
repository with a callable ``load_family`` (the ``pyrer@`` repository, with its
memo) serves its own families; any other repository is read through rez
(`repo.iter_packages` + `package_data_from_rez`). It also remembers where each
package came from, to turn pyrer's answer back into rez variant handles.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from pyrer import PackageData, Version
from pyrer.rez_package import FallbackToRez, package_data_from_rez
from rez.package_repository import package_repository_manager
from rez.package_resources import PackageResourceHelper
from rez.packages import Package, Variant
from rez.version import VersionRange

# (repository, package resource or None when the repository's load_family served it)
_Origin = tuple[Any, Optional[Any]]


class LoaderFailure(Exception):
    """Raised inside `pyrer.solve`'s callback; the shim then runs rez's solver."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class FamilyLoader:
    """``load_family(name, version_range=None)`` over a resolver's package paths.

    Args:
        paths: the resolver's package paths, in search order.
        building: rez adds every variant's ``build_requires`` to its requires
            when resolving for a build; packages are then read through rez
            (the memo does not store build requirements).
        load_callback: rez's ``package_load_callback``, called with each rez
            `Package` the loader reads through rez.
    """

    def __init__(
        self,
        paths: list[str],
        building: bool = False,
        load_callback: Callable[[Package], Any] | None = None,
    ) -> None:
        self.repos = [package_repository_manager.get_repository(p) for p in paths]
        self.building = building
        self.load_callback = load_callback
        self.failure: LoaderFailure | None = None
        self.load_time = 0.0
        self.calls = 0
        self.memo_calls = 0
        self._origins: dict[tuple[str, Version], _Origin] = {}
        self._data: dict[tuple[str, Version], PackageData] = {}

    def __call__(self, name: str, version_range: str | None = None) -> list[PackageData]:
        t0 = time.perf_counter()
        self.calls += 1
        try:
            return self._load(name, version_range)
        except FallbackToRez as e:
            self.failure = LoaderFailure(e.reason, str(e))
            raise
        except Exception as e:
            self.failure = LoaderFailure("load_error", f"{type(e).__name__}: {e}")
            raise
        finally:
            self.load_time += time.perf_counter() - t0

    def _load(self, name: str, version_range: str | None) -> list[PackageData]:
        range_ = VersionRange(version_range) if version_range else None
        out: list[PackageData] = []
        for repo in self.repos:
            load_family = None if self.building else getattr(repo, "load_family", None)
            if callable(load_family):
                self.memo_calls += 1
                for pd in load_family(name, version_range):
                    self._add(out, name, pd, (repo, None))
                continue
            family = repo.get_package_family(name)
            if family is None:
                continue
            for resource in repo.iter_packages(family):
                key = (name, Version(str(resource.version)))
                if key in self._origins:
                    continue  # an earlier path has this version (rez's iter_packages)
                if range_ is not None and resource.version not in range_:
                    continue
                pkg = Package(resource)
                if self.load_callback is not None:
                    self.load_callback(pkg)
                self._add(out, name, self._package_data(pkg), (repo, resource))
        return out

    def _add(self, out: list[PackageData], name: str, pd: PackageData, origin: _Origin) -> None:
        key = (name, Version(pd.version))
        if key in self._origins:
            return
        self._origins[key] = origin
        self._data[key] = pd
        out.append(pd)

    def _package_data(self, pkg: Package) -> PackageData:
        pd = package_data_from_rez(pkg)  # refuses @late-bound requires
        if not self.building:
            return pd
        # rez's solver reads variant.get_requires(build_requires=True):
        # package requires + variant requires + build_requires, in that order.
        build = [str(r) for r in (pkg.build_requires or [])]
        if not build:
            return pd
        if not pd.variants:
            return PackageData(pd.name, pd.version, list(pd.requires) + build)
        variants = [list(pd.requires) + list(v) + build for v in pd.variants]
        return PackageData(pd.name, pd.version, [], variants)

    def requires_of(self, name: str, version: str, index: int | None) -> list[str]:
        """The requirement strings rez's solver sees for this variant."""
        pd = self._data[(name, Version(version))]
        reqs = list(pd.requires)
        if index is not None:
            reqs += list(pd.variants[index])
        return reqs

    def variant(self, name: str, version: str, index: int | None) -> Variant:
        """rez's `Variant` for a resolved (name, version, index), without loading its file."""
        repo, resource = self._origins[(name, Version(version))]
        if resource is None:
            make = getattr(repo, "package_resource", None)
            if callable(make):
                resource = make(name, version)
            else:
                resource = _find_package_resource(repo, name, version)
        if type(resource).iter_variants is PackageResourceHelper.iter_variants:
            # exactly what PackageResourceHelper.iter_variants builds, for one index
            variant_resource = repo.get_resource(
                resource.variant_key,
                location=resource.location,
                name=resource.name,
                version=resource.get("version"),
                index=index,
            )
            return Variant(variant_resource)
        found = Package(resource).get_variant(index)
        if found is None:
            raise LookupError(f"{name}-{version} has no variant {index}")
        return found


def _find_package_resource(repo: Any, name: str, version: str) -> Any:
    family = repo.get_package_family(name)
    wanted = Version(version)
    if family is not None:
        for resource in repo.iter_packages(family):
            if Version(str(resource.version)) == wanted:
                return resource
    raise LookupError(f"{name}-{version} vanished from {repo} after the solve")
