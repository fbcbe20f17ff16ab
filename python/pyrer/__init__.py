"""pyrer: a Rust accelerator for rez.

This package is a thin layer over the native module ``pyrer._native``.
"""

from pyrer._native import (
    FamilyChain,
    FamilySource,
    Memo,
    PackageData,
    PackageFilter,
    PackageOrderers,
    Repository,
    Requirement,
    RequirementList,
    ResolvedVariant,
    SolveResult,
    Version,
    VersionError,
    VersionRange,
    __version__,
    parse_static_package_py,
    parse_static_packages_py,
    runs_statically,
    solve,
)
from pyrer.rez_package import FallbackToRez

__all__ = [
    "FamilyChain",
    "FamilySource",
    "Memo",
    "FallbackToRez",
    "PackageData",
    "PackageFilter",
    "PackageOrderers",
    "Repository",
    "Requirement",
    "RequirementList",
    "Version",
    "VersionError",
    "ResolvedVariant",
    "SolveResult",
    "VersionRange",
    "__version__",
    "solve",
    "parse_static_package_py",
    "parse_static_packages_py",
    "runs_statically",
]
