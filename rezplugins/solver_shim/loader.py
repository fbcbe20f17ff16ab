"""The family sources the shim gives `pyrer.solve` for one resolve.

A `pyrer.FamilyChain` over the resolver's package paths, merged the way rez's
`iter_packages` merges them: for a (name, version) found in several
repositories, the first path wins. A ``pyrer@`` repository serves its own
families through its native `FamilySource` (the memo and the parser, run in
Rust without Python); any other repository is read through rez
(`repo.iter_packages` + `package_data_from_rez`) by a `RezRepositoryLoader`.
After the solve, the chain says which repository served each resolved
package, to turn pyrer's answer back into rez variant handles; only the
resolved packages get Python objects.
"""

from __future__ import annotations

from typing import Any, Callable

from pyrer import FamilyChain, FamilySource, PackageData, Version
from pyrer.rez_package import package_data_from_rez
from rez.package_repository import package_repository_manager
from rez.package_resources import PackageResourceHelper
from rez.packages import Package, Variant
from rez.version import VersionRange


class RezRepositoryLoader:
    """``load_family(name, version_range=None)`` for one repository, through rez.

    Args:
        repo: a rez package repository.
        building: rez adds every variant's ``build_requires`` to its requires
            when resolving for a build (the memo does not store them).
        load_callback: rez's ``package_load_callback``, called with each rez
            `Package` read.
    """

    def __init__(
        self, repo: Any, building: bool, load_callback: Callable[[Package], Any] | None
    ) -> None:
        self.repo = repo
        self.building = building
        self.load_callback = load_callback
        self.resources: dict[tuple[str, Version], Any] = {}

    def __call__(self, name: str, version_range: str | None = None) -> list[PackageData]:
        family = self.repo.get_package_family(name)
        if family is None:
            return []
        range_ = VersionRange(version_range) if version_range else None
        out: list[PackageData] = []
        for resource in self.repo.iter_packages(family):
            if range_ is not None and resource.version not in range_:
                continue
            pkg = Package(resource)
            if self.load_callback is not None:
                self.load_callback(pkg)
            self.resources[(name, Version(str(resource.version)))] = resource
            out.append(self._package_data(pkg))
        return out

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


# a repository's source in the chain: its native FamilySource, or a loader through rez
_Source = Any


class FamilyLoader:
    """The chain of one resolve's package paths, and what the solve needs back."""

    def __init__(
        self,
        paths: list[str],
        building: bool = False,
        load_callback: Callable[[Package], Any] | None = None,
    ) -> None:
        self.repos = [package_repository_manager.get_repository(p) for p in paths]
        sources: list[_Source] = []
        for repo in self.repos:
            native = None if building else getattr(repo, "load_family", None)
            if isinstance(native, FamilySource):
                repo.refresh_settings()
                sources.append(native)
            else:
                sources.append(RezRepositoryLoader(repo, building, load_callback))
        self.sources = sources
        self.chain = FamilyChain(sources)

    @property
    def failure(self) -> tuple[str, str] | None:
        """(reason, detail) of the load that stopped the solve, if any."""
        return self.chain.failure

    def variant(self, name: str, version: str, index: int | None) -> Variant:
        """rez's `Variant` for a resolved (name, version, index), without loading its file."""
        at = self.chain.origin(name, version)
        if at is None:
            raise LookupError(f"{name}-{version} was not loaded by this resolve")
        repo, source = self.repos[at], self.sources[at]
        if isinstance(source, RezRepositoryLoader):
            resource = source.resources[(name, Version(version))]
        else:
            resource = repo.package_resource(name, version)
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

