"""Randomized differential test: package filters, ``--time`` and package orderers,
pyrer against rez's own solver.

Each case is a random repository and request from ``test_solver_random_diff``
with random release timestamps (none, 0, or one of a few times), plus a
random ``PackageFilterList`` built from rez's own rule classes: one or two
filters, each with exclusions and inclusions mixing glob rules (``*``, ``?``,
names and version tokens of the repository, sometimes a character set pyrer
refuses), regex rules (anchored and not, alternations, classes, and some
look-arounds pyrer refuses), range rules (plain, conflict ``!`` and weak
``~`` requirements) and timestamp rules (``before`` / ``after``, global or
``family:time``, as ``rez env --time`` adds them), family-specific or not as
rez files them; and random package orderers (none, or one to three of
``sorted`` ascending or descending, ``version_split`` at a version of the
repository, ``soft_timestamp`` with a rank of 0 to 3, ``per_family`` over
those, ``no_order`` which the shim leaves to rez), for some families or all.

rez's ``Solver`` resolves the case with that filter and those orderers
(``packages_path`` set to the case's repository, where ``soft_timestamp``
looks its families up). pyrer resolves it with
the filter and the orderers as the solver shim hands them over
(``rezplugins.solver_shim.filters.native_filter``, which reads rez's rule
objects, and ``orderers.native_orderers``), the packages given as a
list or through a ``load_family`` callback. Status, resolved
``(name, version, variant_index)`` and ephemerals must be identical. A
filter or orderer the shim declines (it then runs rez's solver) is skipped;
the cover test checks that such cases stay a minority and that filters
really hide packages in most cases.

Number of cases: 3,000 under ``CI=true`` (about 2,000 served by pyrer and
compared), 300 otherwise,
``PYRER_FILTER_DIFF_CASES=N`` to choose; ``python
tests/test_package_filter_random_diff.py SEED`` replays one case.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Union

import pyrer
import pytest
import solver_harness as harness
from solver_harness import NO_VERSION, Outcome
from test_solver_random_diff import Case, _pyrer_loader, generate_case

from rezplugins.solver_shim.filters import native_filter
from rezplugins.solver_shim.orderers import NEEDS_REZ, native_orderers

N_CASES = harness.case_count("PYRER_FILTER_DIFF_CASES", ci=3000, local=300)
SEED_BASE = 7_000_000

# (kind, text): kind is glob, regex, range, before or after (text: the timestamp)
RuleSpec = tuple[str, str]

# release times the random packages get (None: no timestamp, as most rez
# test packages; 0 is "no timestamp" to rez too)
TIMES = [None, None, 0, 1000, 1500, 2000, 2500, 3000]


# (kind, families or None for all, parameter)
OrderSpec = tuple[str, Union[list[str], None], Any]


@dataclass
class FilterCase:
    case: Case
    filters: list[tuple[list[RuleSpec], list[RuleSpec]]]
    orderers: list[OrderSpec] = field(default_factory=list)

    def describe(self) -> str:
        return f"filters: {self.filters}\norderers: {self.orderers}\n{self.case.describe()}"


def _names_and_versions(case: Case) -> list[tuple[str, str]]:
    out = []
    for name, family in case.repo.items():
        for v in family:
            out.append((name, "" if v == NO_VERSION else v))
    return out


def _random_rule(rng: random.Random, known: list[tuple[str, str]]) -> RuleSpec:
    name, version = rng.choice(known)
    tokens = [t for t in re.split(r"[.\-_]", version) if t] or ["1"]
    token = rng.choice(tokens)
    kind = rng.choices(
        ["glob", "regex", "range", "before", "after"], weights=(0.3, 0.2, 0.2, 0.1, 0.2)
    )[0]
    if kind in ("before", "after"):
        when = str(rng.choice([999, 1000, 1500, 1750, 2000, 3000]))
        # `family:time` files the rule under one family, as rez parses it
        return kind, f"{name}:{when}" if rng.random() < 0.3 else when
    if kind == "glob":
        text = rng.choice(
            [
                f"{name}-*",
                f"*{token}*",
                f"*.{token}",
                f"{name}-{version}" if version else name,
                f"{name}-?*",
                f"{name[:2]}*",
                "*",
                f"*-{token}",
                f"{name}-{token}*",
                f"{name}-[0-9]*",  # a character set: declined
            ]
        )
    elif kind == "regex":
        text = rng.choice(
            [
                f"{name}-.*",
                f".*{re.escape(token)}.*",
                f"{name}|{rng.choice(known)[0]}",
                r"[a-z]+-\d.*",
                ".*",
                f"{name}$",
                f"{name}-{re.escape(token)}",
                f"(?:{name})-[0-9]+",
                f"{name[:1]}",
                f"(?!{name}).*",  # look-ahead: declined
            ]
        )
    else:
        text = rng.choice(
            [
                f"{name}-{version}+" if version else name,
                f"{name}<{version}" if version else f"{name}-1+",
                f"{name}-{token}",
                f"!{name}-{token}",
                f"~{name}-{version}+" if version else f"~{name}",
                f"{name}",
                f"{name}-{token}|{rng.choice(tokens)}+",
            ]
        )
    return kind, text


def generate_filter_case(seed: int) -> FilterCase:
    case = generate_case(seed)
    rng = random.Random(seed * 7919 + 3)
    for pkg in harness.iter_repo_packages(case.repo):
        when = rng.choice(TIMES)
        if when is not None:
            pkg["timestamp"] = when
    known = _names_and_versions(case)
    filters = []
    for _ in range(rng.choice([0, 1, 1, 2])):
        excludes = [_random_rule(rng, known) for _ in range(rng.choice([1, 1, 2, 3]))]
        includes = [_random_rule(rng, known) for _ in range(rng.choice([0, 0, 1, 2]))]
        filters.append((excludes, includes))
    orderers = [_random_orderer(rng, known) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    return FilterCase(case, filters, orderers)


def _random_orderer(rng: random.Random, known: list[tuple[str, str]]) -> OrderSpec:
    names = sorted({n for n, _ in known})
    families = None if rng.random() < 0.3 else rng.sample(names, rng.randint(1, len(names)))
    kind = rng.choices(
        ["sorted", "version_split", "soft_timestamp", "per_family", "no_order"],
        weights=(0.3, 0.3, 0.2, 0.15, 0.05),
    )[0]
    if kind == "sorted":
        return kind, families, rng.random() < 0.5
    if kind == "version_split":
        versions = [v for _, v in known if v] or ["1"]
        return kind, families, rng.choice(versions)
    if kind == "soft_timestamp":
        # mostly the forms the shim serves (rank 0, named families)
        if families is None and rng.random() < 0.7:
            families = rng.sample(names, rng.randint(1, len(names)))
        rank = rng.choice([0, 0, 0, 0, 1, 3])
        return kind, families, (rng.choice([999, 1500, 2000, 2750]), rank)
    if kind == "per_family":
        per = {
            n: _random_orderer(rng, known)
            for n in rng.sample(names, rng.randint(1, len(names)))
        }
        per = {n: o for n, o in per.items() if o[0] != "per_family"}
        return kind, None, per or {names[0]: ("sorted", None, False)}
    return kind, families, None


def rez_orderers(specs: list[OrderSpec]) -> Any:
    from rez.package_order import (
        NullPackageOrder,
        PackageOrderList,
        PerFamilyOrder,
        SortedOrder,
        TimestampPackageOrder,
        VersionSplitPackageOrder,
    )
    from rez.version import Version

    def make(spec: OrderSpec) -> Any:
        kind, families, param = spec
        if kind == "sorted":
            return SortedOrder(param, packages=families)
        if kind == "version_split":
            return VersionSplitPackageOrder(Version(param), packages=families)
        if kind == "soft_timestamp":
            return TimestampPackageOrder(param[0], rank=param[1], packages=families)
        if kind == "per_family":
            return PerFamilyOrder({n: make(o) for n, o in param.items()})
        return NullPackageOrder(packages=families)

    return PackageOrderList(make(s) for s in specs)


def rez_filter(filters: list[tuple[list[RuleSpec], list[RuleSpec]]]) -> Any:
    """rez's PackageFilterList of these rules, built from rez's own classes."""
    from rez.package_filter import (
        GlobRule,
        PackageFilter,
        PackageFilterList,
        RangeRule,
        RegexRule,
        Rule,
    )
    from rez.version import Requirement

    def rule(spec: RuleSpec) -> Any:
        kind, text = spec
        if kind == "glob":
            return GlobRule(text)
        if kind == "regex":
            return RegexRule(text)
        if kind == "range":
            return RangeRule(Requirement(text))
        return Rule.parse_rule(f"{kind}({text})")  # before(time) / after(family:time)

    flist = PackageFilterList()
    for excludes, includes in filters:
        f = PackageFilter()
        for spec in excludes:
            f.add_exclusion(rule(spec))
        for spec in includes:
            f.add_inclusion(rule(spec))
        flist.add_filter(f)
    return flist


def run_case(fc: FilterCase) -> tuple[Outcome, Outcome | None, int]:
    """rez's outcome, pyrer's (None when the shim declines the filter), and how
    many packages the filter hides."""
    case = fc.case
    flist = rez_filter(fc.filters)
    hidden = sum(
        1
        for pkg in harness.iter_repo_packages(case.repo)
        if flist.excludes(
            _FakePackage(pkg["name"], pkg.get("version", ""), pkg.get("timestamp"))
        )
    )
    from rez.config import config

    path = harness.memory_repo_path(case.repo)
    # soft_timestamp orderers look families up on packages_path
    config.override("packages_path", [path])
    try:
        rez = harness.run_rez(
            case.request,
            [path],
            variant_select_mode=case.variant_select_mode,
            package_filter=flist,
            package_orderers=rez_orderers(fc.orderers),
        ).outcome
        native = native_filter(flist)
        orderers = native_orderers(rez_orderers(fc.orderers))
        if isinstance(native, str) or isinstance(orderers, str):
            return rez, None, hidden
        packages, load_family = _pyrer_loader(case)
        with harness.rez_settings(case.variant_select_mode):
            ours = harness.run_pyrer(
                pyrer,
                case.request,
                packages,
                variant_select_mode=case.variant_select_mode,
                load_family=load_family,
                package_filter=native,
                package_orderers=orderers,
            )
    finally:
        config.remove_override("packages_path")
        harness.forget_repo(path)
    return rez, ours, hidden


class _FakePackage:
    """What rez's rules read of a package (name, version, qualified name)."""

    def __init__(self, name: str, version: str, timestamp: int | None) -> None:
        from rez.version import Version

        self.name = name
        self.version = Version(version)
        self.qualified_name = f"{name}-{version}" if version else name
        self.timestamp = timestamp


SEEDS = [SEED_BASE + i for i in range(N_CASES)]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_filter_case(seed: int) -> None:
    fc = generate_filter_case(seed)
    rez, ours, _ = run_case(fc)
    if ours is None or NEEDS_REZ in ours.description:
        pytest.skip("the shim leaves this resolve to rez's solver")
    if rez.description.startswith(harness.REZ_CRASH) and ours.status != "error":
        # rez 3.4's variant sort raises TypeError when it meets a rangeless
        # weak requirement (`~foo`) and a ranged one on a requested family;
        # whether it meets them depends on the order its repository lists
        # versions in (it sorts the first listed entry's variants), which
        # pyrer does not follow. Known, rare, left as is (see the note).
        pytest.skip("rez crashed on an order-dependent TypeError")
    problems = harness.diff_outcomes(rez, ours)
    assert not problems, (
        "\n".join(problems)
        + f"\n{fc.describe()}\nreplay: python tests/test_package_filter_random_diff.py {seed}"
    )


def test_random_filters_cover_what_matters() -> None:
    """The cases exercise real filtering: most are served by pyrer, most hide
    something, and every status occurs."""
    sample = [generate_filter_case(SEED_BASE + i) for i in range(min(N_CASES, 300))]
    served = hiding = 0
    statuses = set()
    for fc in sample:
        rez, ours, hidden = run_case(fc)
        statuses.add(rez.status)
        served += ours is not None and NEEDS_REZ not in ours.description
        hiding += hidden > 0
    assert served >= 0.65 * len(sample), served
    assert hiding >= 0.5 * len(sample), hiding
    assert statuses >= {"solved", "failed", "error"}, statuses


def test_unknown_rule_and_filter_classes_go_to_rez() -> None:
    from rez.package_filter import GlobRule, PackageFilter, PackageFilterList, TimestampRule

    class StudioRule(GlobRule):
        pass

    for rule, reason in (
        (StudioRule("*.beta"), "package_filter_rule"),
        (TimestampRule(1000, match_untimestamped=True), "package_filter_rule"),
        (GlobRule("foo-[12]*"), "package_filter_rule"),
    ):
        flist = PackageFilterList()
        f = PackageFilter()
        f.add_exclusion(rule)
        flist.add_filter(f)
        assert native_filter(flist) == reason

    class StudioFilter(PackageFilter):
        pass

    flist = PackageFilterList()
    studio = StudioFilter()
    studio.add_exclusion(GlobRule("*.beta"))
    flist.add_filter(studio)
    assert native_filter(flist) == "package_filter_class"
    assert native_filter(PackageFilterList()) is None


def _main(argv: list[str]) -> int:
    for arg in argv:
        fc = generate_filter_case(int(arg))
        rez, ours, hidden = run_case(fc)
        print(fc.describe())
        print(f"hidden: {hidden}\nrez:   {rez}\npyrer: {ours}")
        if ours is not None:
            print("\n".join(harness.diff_outcomes(rez, ours)) or "same")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
