"""rez's package orderers handed to pyrer, answered by rez's own orderer objects.

pyrer's solver asks two questions, and only for the families an orderer
applies to: in which order to try a family's versions when it splits a slice
(rez's ``sort_versions``), and in which order to prefer a package's variants
(rez's ``_PackageEntry.sort``, whose key goes through the orderers of the
families the variants require). Both are answered here with rez's
``get_orderer`` and the orderers' ``sort_key``, sorted as rez sorts them, so
the orders are rez's own. Orderer classes whose order can depend on anything
but the versions themselves (``no_order`` keeps rez's repository listing
order; a studio's own classes), and ``soft_timestamp`` with a rank (rez
crashes on it for a family missing from packages_path, at a point only its
own solver reproduces; likewise one for every family, which rez applies to
ephemerals too) leave the resolve to rez's solver.
"""

from __future__ import annotations

from typing import Any

import pyrer


def native_orderers(package_orderers: Any) -> pyrer.PackageOrderers | str | None:
    """pyrer's form of the resolve's orderers: None if there are none, else why rez must order."""
    if not package_orderers:
        return None
    from rez.package_order import PackageOrderList

    orderers = PackageOrderList(PackageOrderList._to_orderer(o) for o in package_orderers)
    if not all(_known(o) for o in orderers):
        return "package_orderers"
    families = sorted({family for o in orderers for family in o.packages})
    answers = _Answers(orderers)
    return pyrer.PackageOrderers(families, answers.order_versions, answers.order_variants)


def _known(orderer: Any) -> bool:
    from rez.package_order import (
        PerFamilyOrder,
        SortedOrder,
        TimestampPackageOrder,
        VersionSplitPackageOrder,
    )

    kind = type(orderer)
    if kind in (SortedOrder, VersionSplitPackageOrder):
        return True
    if kind is TimestampPackageOrder:
        # rez 3.4 looks each family up (iter_packages) when its solver first
        # computes a key: with a rank it raises UnboundLocalError for a
        # family missing from packages_path, and for every family ("*") it
        # raises on an ephemeral's name; only rez's solver reproduces where
        return not orderer.rank and "*" not in orderer.packages
    if kind is PerFamilyOrder:
        children = list(orderer.order_dict.values())
        if orderer.default_order is not None:
            children.append(orderer.default_order)
        return all(_known(c) for c in children)
    return False


# Where rez's own sort could raise, pyrer's solve errs with this, and the shim
# runs rez's solver (which then raises, or not, as it does).
NEEDS_REZ = "pyrer: only rez's solver orders these variants as rez does"


class NeedsRezSolver(Exception):
    """rez's variant sort may raise here, depending on its exact comparisons."""


class _Answers:
    """The two orders pyrer asks for, computed by rez's orderers."""

    def __init__(self, orderers: Any) -> None:
        self.orderers = orderers

    def order_versions(self, family: str, versions: list[str]) -> list[int]:
        from rez.package_order import get_orderer
        from rez.version import Version

        orderer = get_orderer(family, orderers=self.orderers)
        keys = [orderer.sort_key(family, Version(v)) for v in versions]
        # rez: sorted(entries, key=sort_key, reverse=True)
        return sorted(range(len(versions)), key=keys.__getitem__, reverse=True)

    def order_variants(
        self, requests: list[str], variants: list[list[str]], indexed: bool, mode: str
    ) -> list[int]:
        from rez.package_order import get_orderer
        from rez.version import Requirement, RequirementList

        request_list = RequirementList([Requirement(r) for r in requests])
        lists = [RequirementList([Requirement(r) for r in v]) for v in variants]

        def range_key(req: Any) -> Any:
            return get_orderer(req.name, orderers=self.orderers).sort_key(req.name, req.range)

        def key(slot: int) -> tuple[Any, ...]:
            requires = lists[slot]
            # the variant's requirements on requested families, by request position
            requested = []
            named = set()
            for position, request in enumerate(request_list):
                if request.conflict:
                    continue
                req = requires.get(request.name)
                if req is not None:
                    requested.append((-position, range_key(req)))
                    named.add(req.name)
            # then its other requirements, in their order
            additional = [
                (range_key(r), r.name) for r in requires if not r.conflict and r.name not in named
            ]
            index = slot if indexed else None
            if mode == "version_priority":
                return (requested, -len(additional), additional, index)
            return (len(requested), requested, -len(additional), additional, index)

        keys = [key(slot) for slot in range(len(variants))]
        if len(keys) > 1 and any(_has_int_range_key(k) for k in keys):
            # a weak requirement without a range keys as the int 0, which
            # Python cannot compare with a range's tuple: whether rez's sort
            # meets such a pair depends on its entry's variants at the time
            raise NeedsRezSolver(NEEDS_REZ)
        # rez: variants.sort(key=key, reverse=True), variants in index order
        return sorted(range(len(variants)), key=keys.__getitem__, reverse=True)


def _has_int_range_key(variant_key: tuple[Any, ...]) -> bool:
    requested = variant_key[0] if isinstance(variant_key[0], list) else variant_key[1]
    additional = variant_key[2] if isinstance(variant_key[0], list) else variant_key[3]
    return any(isinstance(rk, int) for _, rk in requested) or any(
        isinstance(rk, int) for rk, _ in additional
    )
