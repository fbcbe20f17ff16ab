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
from pyrer.rez_package import late_bound_fields, package_data_from_rez
from rez.package_repository import package_repository_manager
from rez.package_resources import PackageResourceHelper
from rez.packages import Package, Variant
from rez.version import VersionRange
from rezplugins.package_repository.filesystem import FileSystemPackageResource


class RezRepositoryLoader:
    """``load_family(name, version_range=None)`` for one repository, through rez.

    Args:
        repo: a rez package repository.
        building: rez adds every variant's ``build_requires`` to its requires
            when resolving for a build (the memo does not store them).
        load_callback: rez's ``package_load_callback``, called with each rez
            `Package` read.
        context: the resolve's ``ResolvedContext``: ``@late`` requirements
            are evaluated in it, as rez's solver evaluates them.
    """

    def __init__(
        self,
        repo: Any,
        building: bool,
        load_callback: Callable[[Package], Any] | None,
        context: Any = None,
    ) -> None:
        self.repo = repo
        self.building = building
        self.load_callback = load_callback
        self.context = context
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
        if late_bound_fields(pkg):
            return self._as_solver_reads(pkg)
        pd = package_data_from_rez(pkg)
        if not self.building:
            return pd
        # rez's solver reads variant.get_requires(build_requires=True):
        # package requires + variant requires + build_requires, in that order.
        build = [str(r) for r in (pkg.build_requires or [])]
        if not build:
            return pd
        if not pd.variants:
            return PackageData(
                pd.name, pd.version, list(pd.requires) + build, timestamp=pd.timestamp
            )
        variants = [list(pd.requires) + list(v) + build for v in pd.variants]
        return PackageData(pd.name, pd.version, [], variants, timestamp=pd.timestamp)

    def _as_solver_reads(self, pkg: Package) -> PackageData:
        """A package with ``@late`` requirements, read as rez's solver reads
        it: in the resolve's context, each variant's
        ``get_requires(build_requires=building)`` (the late function runs with
        ``this`` the variant, as in rez), given to pyrer as that variant's
        whole requirement list."""
        pkg.set_context(self.context)
        lists = [
            [str(r) for r in variant.get_requires(build_requires=self.building)]
            for variant in pkg.iter_variants()
        ]
        timestamp = pkg.timestamp or 0
        if not pkg.variants:  # one variant, index None: the package's own list
            return PackageData(pkg.name, str(pkg.version), lists[0], timestamp=timestamp)
        return PackageData(pkg.name, str(pkg.version), [], lists, timestamp=timestamp)


# a repository's source in the chain: its native FamilySource, or a loader through rez
_Source = Any


class FamilyLoader:
    """The chain of one resolve's package paths, and what the solve needs back."""

    def __init__(
        self,
        paths: list[str],
        building: bool = False,
        load_callback: Callable[[Package], Any] | None = None,
        context: Any = None,
    ) -> None:
        self.repos = [package_repository_manager.get_repository(p) for p in paths]
        self.building = building
        self.load_callback = load_callback
        self.context = context
        sources: list[_Source] = []
        for repo in self.repos:
            native = None if building else getattr(repo, "load_family", None)
            if isinstance(native, FamilySource):
                repo.refresh_settings()
                sources.append(native)
            else:
                sources.append(RezRepositoryLoader(repo, building, load_callback, context))
        self.sources = sources
        # families with @late requirements in a pyrer@ repository: through rez
        self.late_loaders: dict[int, RezRepositoryLoader] = {}
        self.chain = FamilyChain(sources, late_bound=self._load_late_bound)

    def _load_late_bound(
        self, at: int, name: str, version_range: str | None
    ) -> list[PackageData]:
        loader = self.late_loaders.get(at)
        if loader is None:
            loader = RezRepositoryLoader(
                self.repos[at], self.building, self.load_callback, self.context
            )
            self.late_loaders[at] = loader
        return loader(name, version_range)

    @property
    def all_native(self) -> bool:
        """Whether every family of this resolve was read by pyrer's own
        loaders (``pyrer@`` repositories, no ``@late`` family read through rez)."""
        return not self.late_loaders and all(isinstance(s, FamilySource) for s in self.sources)

    @property
    def failure(self) -> tuple[str, str] | None:
        """(reason, detail) of the load that stopped the solve, if any."""
        return self.chain.failure

    def variant_handle(self, name: str, version: str, index: int | None) -> dict[str, Any]:
        """rez's handle (as a dict) of a resolved (name, version, index).

        A ``pyrer@`` package is a filesystem package resource, whose variants
        `PackageResourceHelper.iter_variants` makes from a handle of these
        variables: that handle is made here without building the package's
        and the variant's resources (rez builds them from the handle when it
        reads the result)."""
        at = self.chain.origin(name, version)
        if at is not None and isinstance(self.sources[at], FamilySource):
            repo = self.repos[at]
            handle = repo.make_resource_handle(
                FileSystemPackageResource.variant_key,
                location=repo.location,
                name=name,
                version=version,
                index=index,
            )
            return handle.to_dict()
        return self.variant(name, version, index).handle.to_dict()

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

