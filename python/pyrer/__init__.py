"""pyrer: a Rust accelerator for rez.

This package is a thin layer over the native module ``pyrer._native``.
"""

from pyrer._native import (
    PackageData,
    Repository,
    Requirement,
    RequirementList,
    ResolvedVariant,
    SolveResult,
    Version,
    VersionError,
    VersionRange,
    __version__,
    solve,
)

__all__ = [
    "PackageData",
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
]
