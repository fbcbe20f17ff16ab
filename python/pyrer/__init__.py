"""pyrer: a Rust accelerator for rez.

This package is a thin layer over the native module ``pyrer._native``.
"""

from pyrer._native import (
    Requirement,
    RequirementList,
    StaticPackage,
    Version,
    VersionError,
    VersionRange,
    __version__,
    parse_static_package_py,
    parse_static_packages_py,
)

__all__ = [
    "Requirement",
    "RequirementList",
    "StaticPackage",
    "Version",
    "VersionError",
    "VersionRange",
    "__version__",
    "parse_static_package_py",
    "parse_static_packages_py",
]
