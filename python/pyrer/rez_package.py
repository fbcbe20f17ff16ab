"""Turning rez's own package objects into `PackageData`, where that is faithful.

Shared by the `pyrer@` repository plugin (for files the static parser
refuses) and by the solver shim (for repositories that are not `pyrer@`).
"""

from __future__ import annotations

from typing import Any

from pyrer._native import PackageData

# Package attributes the solver reads that rez may bind late (at resolve time).
_SOLVER_FIELDS = ("requires", "variants")


class FallbackToRez(Exception):
    """pyrer cannot give the solver this package's data faithfully.

    Raised by a `load_family` callback (for example for an ``@late``-bound
    ``requires``, whose value rez computes during its own solve); the solver
    shim answers it by running rez's own solver for the whole resolve, and
    counts it under ``fallback.<reason>``.

    Args:
        message: what happened, for the debug log.
        reason: a short name for the metrics: ``late_bound``,
            ``rez_cannot_load``, ``layout`` or ``io_error``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def late_bound_fields(pkg: Any) -> list[str]:
    """The solver fields of a rez `Package` that are ``@late``-bound functions."""
    resource = pkg.resource
    late = []
    for key in _SOLVER_FIELDS:
        value = getattr(resource, key, None)
        if getattr(value, "late_binding", False):
            late.append(key)
    return late


def package_data_from_rez(pkg: Any) -> PackageData:
    """`PackageData.from_rez(pkg)`, refusing packages rez would bind late.

    Raises:
        FallbackToRez: a solver field is an ``@late`` function.
    """
    late = late_bound_fields(pkg)
    if late:
        raise FallbackToRez(
            f"{pkg.qualified_name}: @late-bound {', '.join(late)} "
            f"({pkg.resource.uri}); rez's own solver must evaluate it",
            "late_bound",
        )
    return PackageData.from_rez(pkg)
