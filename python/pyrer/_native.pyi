"""Type stubs for the native module ``pyrer._native``."""

import os
from collections.abc import Iterable
from typing import Any, Callable, Literal

__version__: str

class VersionError(ValueError):
    """An invalid version, version range or requirement string."""

class Version:
    """A rez version, e.g. ``Version("1.2.0")``; ordered and hashed as rez."""

    def __init__(self, s: str | None = None) -> None: ...
    @property
    def tokens(self) -> list[str]: ...
    def next(self) -> Version: ...
    def __len__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __lt__(self, other: Version) -> bool: ...
    def __le__(self, other: Version) -> bool: ...
    def __gt__(self, other: Version) -> bool: ...
    def __ge__(self, other: Version) -> bool: ...

_VersionLike = Version | str
_RangeLike = "VersionRange | str"

class VersionRange:
    """A rez version range, e.g. ``VersionRange("1+<2|3")``."""

    def __init__(self, s: str | None = None) -> None: ...
    def is_any(self) -> bool: ...
    def lower_bounded(self) -> bool: ...
    def upper_bounded(self) -> bool: ...
    def bounded(self) -> bool: ...
    def contains_version(self, version: _VersionLike) -> bool: ...
    def issuperset(self, other: _RangeLike) -> bool: ...
    def issubset(self, other: _RangeLike) -> bool: ...
    def intersects(self, other: _RangeLike) -> bool: ...
    def intersection(self, other: _RangeLike) -> VersionRange | None: ...
    def union(self, other: _RangeLike) -> VersionRange: ...
    def inverse(self) -> VersionRange | None: ...
    def span(self) -> VersionRange: ...
    def __and__(self, other: _RangeLike) -> VersionRange | None: ...
    def __or__(self, other: _RangeLike) -> VersionRange: ...
    def __sub__(self, other: _RangeLike) -> VersionRange | None: ...
    def __invert__(self) -> VersionRange | None: ...
    def __contains__(self, item: VersionRange | _VersionLike) -> bool: ...
    def __len__(self) -> int: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __lt__(self, other: VersionRange) -> bool: ...

_RangeLike = VersionRange | str

class Requirement:
    """A rez requirement: ``foo-1+<2``, ``!foo``, ``~foo-2``, ``.eph``."""

    def __init__(self, s: str) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def range(self) -> VersionRange | None: ...
    @property
    def conflict(self) -> bool: ...
    @property
    def weak(self) -> bool: ...
    @property
    def ephemeral(self) -> bool: ...
    def conflicts_with(self, other: Requirement | str) -> bool: ...
    def merged(self, other: Requirement | str) -> Requirement | None: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...

class RequirementList:
    """rez's RequirementList: requirements merged per name, or a conflict."""

    def __init__(self, requirements: Iterable[Requirement | str]) -> None: ...
    @property
    def requirements(self) -> list[Requirement]: ...
    @property
    def conflict(self) -> tuple[Requirement, Requirement] | None: ...
    @property
    def names(self) -> set[str]: ...
    @property
    def conflict_names(self) -> set[str]: ...

class PackageData:
    """One package version: name, version, requirement strings, variants and
    release timestamp (rez's ``timestamp``, 0 for none; package filters'
    ``before`` / ``after`` rules and ``rez env --time`` read it)."""

    def __init__(
        self,
        name: str,
        version: str,
        requires: list[str] | None = None,
        variants: list[list[str]] | None = None,
        *,
        timestamp: int = 0,
    ) -> None: ...
    @staticmethod
    def from_strings(
        name: str,
        version: str,
        requires: list[str] | None = None,
        variants: list[list[str]] | None = None,
    ) -> PackageData: ...
    @staticmethod
    def from_rez(pkg: object) -> PackageData: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def requires(self) -> list[str]: ...
    @property
    def variants(self) -> list[list[str]]: ...
    @property
    def timestamp(self) -> int: ...

class Repository:
    """Packages grouped by family and parsed once, reusable across solves."""

    def __init__(self, packages: Iterable[PackageData]) -> None: ...
    def __len__(self) -> int: ...
    def families(self) -> list[str]: ...

class ResolvedVariant:
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def variant_index(self) -> int | None: ...
    @property
    def requires(self) -> list[str]: ...
    @property
    def uri(self) -> str: ...

class SolveResult:
    @property
    def status(self) -> Literal["solved", "failed", "error"]: ...
    @property
    def resolved(self) -> list[tuple[str, str, int | None]]: ...
    @property
    def resolved_packages(self) -> list[ResolvedVariant]: ...
    @property
    def resolved_ephemerals(self) -> list[str]: ...
    @property
    def extractions(self) -> list[tuple[str, str]]:
        """The final phase's extractions (scope family, requirement), rez's order."""
    @property
    def scope_order(self) -> list[str]:
        """The final phase's scope families (packages and ephemerals together), rez's
        order: dependencies first, else request order (solved resolves only)."""
    @property
    def failure_description(self) -> str | None: ...
    @property
    def solve_time_ms(self) -> float: ...
    @property
    def load_time_ms(self) -> float:
        """The part of solve_time_ms spent loading families."""
    @property
    def num_iterations(self) -> int: ...
    @property
    def load_family_calls(self) -> int: ...

LoadFamily = Callable[..., Iterable[PackageData] | None]

class FamilySource:
    """A ``pyrer@`` repository's ``load_family``, run in Rust by `solve`: the
    memo and the static parser without the GIL; ``evaluate`` (rez's evaluator)
    only for the files the parser declines."""

    def __init__(
        self,
        location: str | os.PathLike[str],
        memo: Memo | None,
        evaluate: Callable[[str, str, str, _Stamp, str], PackageData],
        *,
        package_filenames: list[str] | None = None,
        allow_unversioned: bool = True,
        check_definition_files: bool = False,
        honour_ignore: bool = True,
        serve_evaluated: bool = False,
    ) -> None: ...
    def configure(
        self,
        *,
        package_filenames: list[str] | None = None,
        allow_unversioned: bool = True,
        check_definition_files: bool = False,
        honour_ignore: bool = True,
        serve_evaluated: bool = False,
    ) -> None: ...
    def __call__(self, name: str, version_range: str | None = None) -> list[PackageData]:
        """The family's packages in range; raises `FallbackToRez` where only rez
        can answer faithfully."""
    @property
    def counters(self) -> dict[str, int]: ...
    def reset_counters(self) -> None: ...

class FamilyChain:
    """Repositories in search order for `solve`: for a (name, version) in
    several, the first wins (rez's precedence)."""

    def __init__(self, sources: Iterable[FamilySource | LoadFamily]) -> None: ...
    def origin(self, name: str, version: str) -> int | None:
        """The index of the source that served (name, version), if loaded."""
    @property
    def failure(self) -> tuple[str, str] | None:
        """(reason, detail) of the first load that failed, or None."""
    def __len__(self) -> int: ...

class PackageFilter:
    """rez's package filter list: each filter is ``(excludes, includes)``,
    lists of ``(kind, family, text)`` rules with ``kind`` one of ``glob``,
    ``regex``, ``range``, ``before``, ``after`` (text: the timestamp) and
    ``family`` rez's ``rule.family()``. A package is hidden when a filter's
    exclusion matches it and none of that filter's inclusions do. Raises
    ValueError for a rule pyrer cannot apply exactly as rez does (glob
    character sets, regex syntax only Python's engine reads)."""

    def __init__(
        self,
        filters: Iterable[
            tuple[Iterable[tuple[str, str | None, str]], Iterable[tuple[str, str | None, str]]]
        ],
    ) -> None: ...
    def excludes(self, name: str, version: str, timestamp: int = 0) -> bool: ...
    def __bool__(self) -> bool: ...

class PackageOrderers:
    """rez's package orderers for `solve`: the families some orderer applies
    to (``"*"``: all), ``order_versions(family, versions) -> list[int]``
    (versions descending; their positions in the order rez tries them) and
    ``order_variants(requests, variants, indexed, mode) -> list[int]`` (each
    variant its merged requirement strings; positions in rez's preference
    order). Families no orderer applies to keep rez's default order, computed
    natively. An exception in a callback makes the solve an error."""

    def __init__(
        self,
        families: list[str],
        order_versions: Callable[[str, list[str]], list[int]],
        order_variants: Callable[[list[str], list[list[str]], bool, str], list[int]],
    ) -> None: ...

def solve(
    package_requests: Iterable[str],
    packages: list[PackageData] | Repository | None = None,
    *,
    load_family: FamilySource | FamilyChain | LoadFamily | None = None,
    variant_select_mode: str = "version_priority",
    package_filter: PackageFilter | None = None,
    package_orderers: PackageOrderers | None = None,
) -> SolveResult: ...
def runs_statically(source: str) -> bool:
    """Whether rez's loader gives the same data for `source` in every process."""
def parse_static_package_py(source: str) -> PackageData | None:
    """Reads name, version, requires and variants from package.py source without
    running it; None when the file is dynamic or rez would reject it. Never raises."""

def parse_static_packages_py(
    paths: Iterable[str | os.PathLike[str]],
) -> list[PackageData | None]:
    """Reads and parses files in parallel (GIL released), aligned with ``paths``.
    None for a missing, unreadable, non-UTF-8, non-.py or dynamic file."""

def _survey_static_packages_py(
    paths: Iterable[Any],
) -> list[tuple[PackageData | None, str | None, bool]]:
    """As parse_static_packages_py, with (package, bail reason, unreadable) per path."""

_Stamp = tuple[int, int, int, int]
_MemoEntry = tuple[Literal["static", "evaluated", "late"], _Stamp, list[str], list[list[str]]]

class Memo:
    """The LMDB package memo in one directory on local disk (one per process)."""

    def __init__(self, path: str | os.PathLike[str], map_size: int = ...) -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def notices(self) -> list[str]: ...
    def stats(self) -> dict[str, Any]: ...
    def remember(
        self,
        path: str,
        stamp: _Stamp,
        requires: list[str] | None,
        variants: list[list[str]] | None = None,
        timestamp: int = 0,
        runs_statically: bool = False,
    ) -> bool: ...
    def lookup(self, path: str) -> _MemoEntry | None: ...
    def definition(self, path: str) -> bytes | None:
        """The whole definition remembered for `path` while its stamp is unchanged."""
    def remember_definition(self, path: str, stamp: _Stamp, payload: bytes) -> bool:
        """Queues `payload` as `path`'s definition, its stamp read before loading."""
    def flush(self) -> int: ...
    def paths(self, prefix: str) -> list[str]: ...
    def directories(self, prefix: str) -> list[str]:
        """Directories under `prefix` whose listings the memo keeps."""
    def forget(self, paths: list[str]) -> int:
        """Drops the entries of files and the listings of directories in `paths`."""

class FamilyLoad:
    """One family as `load_family` found it."""

    @property
    def absent(self) -> bool: ...
    @property
    def needs_rez(self) -> str | None: ...
    @property
    def needs_rez_kind(self) -> Literal["late_bound", "layout", "io_error"] | None: ...
    @property
    def packages(self) -> list[PackageData]: ...
    @property
    def to_evaluate(self) -> list[tuple[str, str, _Stamp, str]]: ...
    @property
    def counters(self) -> dict[str, int]: ...
    @property
    def notices(self) -> list[str]: ...

def load_family(
    location: str | os.PathLike[str],
    name: str,
    version_range: str | None = None,
    memo: Memo | None = None,
    *,
    package_filenames: list[str] | None = None,
    allow_unversioned: bool = True,
    check_definition_files: bool = False,
    honour_ignore: bool = True,
    serve_evaluated: bool = False,
) -> FamilyLoad: ...
def repository_families(location: str | os.PathLike[str]) -> list[str]: ...
def index_families(
    location: str | os.PathLike[str],
    names: list[str],
    memo: Memo,
    *,
    package_filenames: list[str] | None = None,
    allow_unversioned: bool = True,
    check_definition_files: bool = False,
    honour_ignore: bool = True,
    serve_evaluated: bool = False,
) -> tuple[
    dict[str, int],
    list[tuple[str, str, str, _Stamp, str]],
    list[tuple[str, str]],
    list[str],
]: ...
