"""Randomized differential test: package filters, pyrer against rez's own solver.

Each case is a random repository and request from ``test_solver_random_diff``
with random release timestamps (none, 0, or one of a few times), plus a
random ``PackageFilterList`` built from rez's own rule classes: one or two
filters, each with exclusions and inclusions mixing glob rules (``*``, ``?``,
names and version tokens of the repository, sometimes a character set pyrer
refuses), regex rules (anchored and not, alternations, classes, and some
look-arounds pyrer refuses), range rules (plain, conflict ``!`` and weak
``~`` requirements) and timestamp rules (``before`` / ``after``, global or
``family:time``, as ``rez env --time`` adds them), family-specific or not as
rez files them.

rez's ``Solver`` resolves the case with that filter. pyrer resolves it with
the filter as the solver shim hands it over (``rezplugins.solver_shim.filters
.native_filter``, which reads rez's rule objects), the packages given as a
list or through a ``load_family`` callback. Status, resolved
``(name, version, variant_index)`` and ephemerals must be identical. A
filter the shim declines (it then runs rez's solver) is counted and skipped;
the cover test checks that such cases stay a minority and that filters
really hide packages in most cases.

Number of cases: 2,000 under ``CI=true``, 200 otherwise,
``PYRER_FILTER_DIFF_CASES=N`` to choose; ``python
tests/test_package_filter_random_diff.py SEED`` replays one case.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from typing import Any

import pyrer
import pytest
import solver_harness as harness
from solver_harness import NO_VERSION, Outcome
from test_solver_random_diff import Case, _pyrer_loader, generate_case

from rezplugins.solver_shim.filters import native_filter

N_CASES = harness.case_count("PYRER_FILTER_DIFF_CASES", ci=2000, local=200)
SEED_BASE = 7_000_000

# (kind, text): kind is glob, regex, range, before or after (text: the timestamp)
RuleSpec = tuple[str, str]

# release times the random packages get (None: no timestamp, as most rez
# test packages; 0 is "no timestamp" to rez too)
TIMES = [None, None, 0, 1000, 1500, 2000, 2500, 3000]


@dataclass
class FilterCase:
    case: Case
    filters: list[tuple[list[RuleSpec], list[RuleSpec]]]

    def describe(self) -> str:
        return f"filters: {self.filters}\n{self.case.describe()}"


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
    for _ in range(rng.choice([1, 1, 2])):
        excludes = [_random_rule(rng, known) for _ in range(rng.choice([1, 1, 2, 3]))]
        includes = [_random_rule(rng, known) for _ in range(rng.choice([0, 0, 1, 2]))]
        filters.append((excludes, includes))
    return FilterCase(case, filters)


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
    path = harness.memory_repo_path(case.repo)
    try:
        rez = harness.run_rez(
            case.request,
            [path],
            variant_select_mode=case.variant_select_mode,
            package_filter=flist,
        ).outcome
    finally:
        harness.forget_repo(path)
    native = native_filter(flist)
    if isinstance(native, str):
        return rez, None, hidden
    packages, load_family = _pyrer_loader(case)
    ours = harness.run_pyrer(
        pyrer,
        case.request,
        packages,
        variant_select_mode=case.variant_select_mode,
        load_family=load_family,
        package_filter=native,
    )
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
    if ours is None:
        pytest.skip("the shim leaves this filter to rez's solver")
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
        served += ours is not None
        hiding += hidden > 0
    assert served >= 0.7 * len(sample), served
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
