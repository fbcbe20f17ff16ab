"""Randomized differential test: pyrer.solve against rez's own solver.

Each case is a random repository and a random request, built from a seed:

- families with 1-6 versions made of numeric and alphanumeric tokens (``1.10``,
  ``2.beta``, ``1-rc1``, ``05``, ``_``), sometimes an unversioned family;
- requirements in every range syntax rez parses (``foo``, ``foo-1.2``,
  ``foo==1.2``, ``foo-1+``, ``foo>=1``, ``foo>1``, ``foo<2``, ``foo<=2``,
  ``foo-1+<2``, ``foo-1..2``, ``foo>1<2``, ``foo-<2,>1``, unions ``a|b``, the
  ``@``/``#`` separators, ``foo==`` for the empty version), with weak ``~``,
  conflict ``!`` and ephemeral ``.name`` requirements, variants, requirements
  that match nothing, missing families, self-references and cycles;
- requests of 1-3 such requirements, in either ``variant_select_mode``.

rez solves each case on an in-memory repository (rez's ``memory`` repository
plugin; `test_memory_repo_matches_filesystem_repo` checks on a sample that it
answers exactly like package.py files on disk).  pyrer solves it on the same
packages, given either as a (shuffled) list of ``PackageData`` or through a
``load_family`` callback (one-argument form, two-argument form returning the
whole family, and two-argument form honouring the ``version_range`` hint).
Status, resolved ``(name, version, variant_index)`` in order and ephemerals in
order must be identical; for errors, both must report ``error``.

rez runs every case twice: here, and in a worker interpreter with another
``PYTHONHASHSEED`` (see ``solver_harness.RezWorker``); a case on which the two
disagree fails as "rez is not deterministic".  A case on which rez itself
crashes (an exception that is not one of rez's errors: rez 3.4 raises a
TypeError on a range-less weak requirement ``~foo`` in a variant when ``foo``
is requested) is an ``error`` case like the others.  Nothing is excluded.

Number of cases: 2,000 when ``CI=true``, 200 otherwise,
``PYRER_RANDOM_DIFF_CASES=N`` to choose.  Seeds are
``PYRER_RANDOM_DIFF_SEED * 100_000 + i`` (default base 0), so a run is
reproducible.  A failing case prints its seed, a shrunk repository and request,
and a Python snippet; ``python tests/test_solver_random_diff.py SEED`` replays
one case.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pyrer
import pytest
import solver_harness as harness
from solver_harness import NO_VERSION, Outcome, RepoData

BASE_SEED = int(os.environ.get("PYRER_RANDOM_DIFF_SEED", "0"))
N_CASES = harness.case_count("PYRER_RANDOM_DIFF_CASES", ci=2000, local=200)
SEEDS = [BASE_SEED * 100_000 + i for i in range(N_CASES)]
MAX_SHRINKS = 5  # shrink at most this many failing cases per run (shrinking re-solves a lot)

FAMILY_POOL = ["a", "b", "c", "d", "e", "f", "g", "pkg_x", "t2", "m.n"]
MISSING_POOL = ["ghost", "nope"]
EPHEMERAL_POOL = [".e", ".fx"]
ALPHA_TOKENS = ["a", "b", "alpha", "beta", "rc1", "1a", "2b", "a1", "_", "x_1", "Z", "dev", "0a"]
LOADERS = ("list", "callback_name_only", "callback_full", "callback_hint")


# ---------------------------------------------------------------------------
# generation
# ---------------------------------------------------------------------------


@dataclass
class Case:
    seed: int
    repo: RepoData
    request: list[str]
    variant_select_mode: str = "version_priority"
    loader: str = "list"
    shuffle_seed: int = 0

    def describe(self) -> str:
        return (
            f"request: {self.request}\n"
            f"variant_select_mode: {self.variant_select_mode}\n"
            f"pyrer packages given as: {self.loader}\n"
            f"repository: {json.dumps(self.repo, indent=1)}"
        )


def _version_key(s: str) -> Any:
    from rez.version import Version

    return Version(s)


def _token(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.72:
        return str(rng.randint(0, 12))
    if r < 0.78:
        return "0" + str(rng.randint(0, 9))
    return rng.choice(ALPHA_TOKENS)


def _version(rng: random.Random) -> str:
    n = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    out = _token(rng)
    for _ in range(n - 1):
        out += rng.choice(".....-") + _token(rng)
    return out


def _versions(rng: random.Random, k: int) -> list[str]:
    """k versions, distinct in rez's sense (``1-0`` equals ``1.0``), sorted."""
    seen: dict[Any, str] = {}
    tries = 0
    while len(seen) < k and tries < 50:
        tries += 1
        v = _version(rng)
        key = _version_key(v)
        if key not in seen:
            seen[key] = v
    return [seen[k_] for k_ in sorted(seen)]


def _prefix(rng: random.Random, v: str) -> str:
    """A leading part of a version, cut at a separator (``1.2.3`` -> ``1.2``)."""
    cuts = [m.start() for m in re.finditer(r"[.-]", v)]
    if not cuts:
        return v
    return v[: rng.choice(cuts)]


class _RangeMaker:
    def __init__(self, rng: random.Random, versions: list[str]) -> None:
        self.rng = rng
        self.versions = [v for v in versions if v]

    def anchor(self) -> str:
        rng = self.rng
        if self.versions and rng.random() < 0.8:
            v = rng.choice(self.versions)
            return _prefix(rng, v) if rng.random() < 0.3 else v
        return _version(rng)

    def pair(self) -> tuple[str, str]:
        a, b = self.anchor(), self.anchor()
        if _version_key(b) < _version_key(a):
            a, b = b, a
        return a, b

    def simple(self) -> str:
        """A range with no leading separator, e.g. ``1.2+``, ``<3``, ``1..2``."""
        rng = self.rng
        form = rng.randrange(13)
        if form == 0:
            return self.anchor()
        if form == 1:
            return "==" + self.anchor()
        if form == 2:
            return self.anchor() + "+"
        if form == 3:
            return ">=" + self.anchor()
        if form == 4:
            return ">" + self.anchor()
        if form == 5:
            return "<" + self.anchor()
        if form == 6:
            return "<=" + self.anchor()
        lo, hi = self.pair()
        if form == 7:
            return f"{lo}+<{hi}"
        if form == 8:
            return f"{lo}..{hi}"
        if form == 9:
            return f">{lo}<{hi}"
        if form == 10:
            return f">={lo}<={hi}"
        if form == 11:
            return f"{lo}+,<{hi}"
        return f"<{hi},>{lo}"

    def requirement(self, name: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return name
        if r < 0.23:
            return name + "=="  # the empty version, exactly
        if r < 0.33:
            rng_str = self.simple() + "|" + self.simple()
        else:
            rng_str = self.simple()
        sep = rng.choice(["-", "-", "-", "-", "@", "#"])
        if rng_str[0] in "<>=" and rng.random() < 0.6:
            sep = ""
        return name + sep + rng_str


def _valid(req: str) -> bool:
    from rez.version import Requirement

    try:
        Requirement(req)
    except Exception:
        return False
    return True


def _matches(req: str, versions: list[str]) -> bool:
    from rez.version import Requirement, Version

    range_ = Requirement(req).range
    return any(Version(v) in range_ for v in versions)


def _requirement(
    rng: random.Random,
    name: str,
    versions: list[str],
    prefix_weights: tuple[float, float, float],
    p_keep_unmatched: float = 1.0,
) -> str:
    """A requirement on ``name``; prefix chosen among '', '~', '!' with the given weights.

    A plain requirement on an existing family that matches none of its versions
    is kept with probability ``p_keep_unmatched`` (else redrawn, up to 4 times):
    rez raises PackageNotFoundError on those, and too many would drown the
    solves.
    """
    maker = _RangeMaker(rng, versions)
    prefix = rng.choices(["", "~", "!"], weights=prefix_weights)[0]
    req = prefix + name
    for _ in range(4):
        for _ in range(8):
            candidate = prefix + maker.requirement(name)
            if _valid(candidate):
                req = candidate
                break
        if prefix or not versions or name.startswith("."):
            return req
        if _matches(req, versions) or rng.random() < p_keep_unmatched:
            return req
    return req


def generate_case(seed: int) -> Case:
    rng = random.Random(seed)
    n_fam = rng.randint(2, 9)
    names = rng.sample(FAMILY_POOL, n_fam)
    fam_versions: dict[str, list[str]] = {}
    for name in names:
        if rng.random() < 0.05:
            fam_versions[name] = [""]  # an unversioned package, like rez's test package "nada"
        else:
            fam_versions[name] = _versions(rng, rng.randint(1, 7))

    def target(i: int, avoid: set[str]) -> tuple[str, list[str]]:
        for _ in range(3):
            r = rng.random()
            if r < 0.025:
                return rng.choice(MISSING_POOL), []
            if r < 0.08:
                return rng.choice(EPHEMERAL_POOL), _versions(rng, 2)
            later = names[i + 1 :]
            if later and r < 0.85:
                name = rng.choice(later)
            else:
                name = rng.choice(names)  # earlier: maybe a cycle; itself: a self-reference
            if name not in avoid:
                break
        return name, fam_versions[name]

    def requirements(
        i: int, count: int, weights: tuple[float, float, float], avoid: set[str]
    ) -> list[str]:
        out = []
        avoid = set(avoid)
        for _ in range(count):
            # mostly one requirement per family and package (two may merge, or
            # conflict: rez then raises "internal requirements conflict")
            name, versions = target(i, avoid if rng.random() < 0.93 else set())
            avoid.add(name)
            # '~.e' / '!.e' are rejected by rez's package schema (PackageMetadataError):
            # keep them, but rare
            w = (0.9, 0.05, 0.05) if name.startswith(".") else weights
            out.append(_requirement(rng, name, versions, w, p_keep_unmatched=0.15))
        return out

    repo: RepoData = {}
    for i, name in enumerate(names):
        family: dict[str, dict[str, Any]] = {}
        order = list(fam_versions[name])
        rng.shuffle(order)  # rez must not depend on the order a repository lists versions in
        for v in order:
            pkg: dict[str, Any] = {"name": name}
            if v:
                pkg["version"] = v
            n_req = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
            if n_req or rng.random() < 0.3:
                pkg["requires"] = requirements(i, n_req, (0.72, 0.14, 0.14), set())
            if rng.random() < 0.25:
                base = {re.split(r"[-@#=<>]", r.lstrip("~!"))[0] for r in pkg.get("requires", [])}
                pkg["variants"] = [
                    requirements(i, rng.choice([0, 1, 1, 2]), (0.85, 0.08, 0.07), base)
                    for _ in range(rng.randint(1, 3))
                ]
            family[v or NO_VERSION] = pkg
        repo[name] = family

    request: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        r = rng.random()
        if r < 0.02:
            request.append(_requirement(rng, rng.choice(MISSING_POOL), [], (1, 0, 0)))
        elif r < 0.09:
            name = rng.choice(EPHEMERAL_POOL)
            request.append(_requirement(rng, name, _versions(rng, 2), (0.6, 0.2, 0.2)))
        else:
            # favour the first families: their dependency chains are the longest
            name = names[min(int(rng.expovariate(0.9)), len(names) - 1)]
            request.append(
                _requirement(rng, name, fam_versions[name], (0.8, 0.1, 0.1), p_keep_unmatched=0.1)
            )

    mode = "intersection_priority" if rng.random() < 0.3 else "version_priority"
    loader = rng.choices(LOADERS, weights=(0.55, 0.1, 0.15, 0.2))[0]
    return Case(seed, repo, request, mode, loader, shuffle_seed=rng.randrange(2**31))


# ---------------------------------------------------------------------------
# solving
# ---------------------------------------------------------------------------


def solve_rez(case: Case) -> Outcome:
    path = harness.memory_repo_path(case.repo)
    try:
        return harness.run_rez(
            case.request, [path], variant_select_mode=case.variant_select_mode
        ).outcome
    finally:
        harness.forget_repo(path)


def rez_job(case: Case) -> harness.Job:
    return {
        "id": str(case.seed),
        "repo": case.repo,
        "request": case.request,
        "variant_select_mode": case.variant_select_mode,
    }


def _pyrer_loader(case: Case) -> tuple[list[Any] | None, Callable[..., Any] | None]:
    packages = [
        harness.package_data_from_dict(pyrer, pkg) for pkg in harness.iter_repo_packages(case.repo)
    ]
    random.Random(case.shuffle_seed).shuffle(packages)
    if case.loader == "list":
        return packages, None

    by_family: dict[str, list[Any]] = {}
    for p in packages:
        by_family.setdefault(p.name, []).append(p)

    if case.loader == "callback_name_only":

        def load_family_name_only(name: str) -> list[Any]:
            return list(by_family.get(name, []))

        return None, load_family_name_only

    if case.loader == "callback_full":

        def load_family_full(name: str, version_range: str | None = None) -> list[Any]:
            return list(by_family.get(name, []))

        return None, load_family_full

    from rez.version import Version, VersionRange

    def load_family_hint(name: str, version_range: str | None = None) -> list[Any]:
        family = by_family.get(name, [])
        if version_range is None:
            return list(family)
        wanted = VersionRange(version_range)
        return [p for p in family if Version(p.version) in wanted]

    return None, load_family_hint


def solve_pyrer(case: Case) -> Outcome:
    packages, load_family = _pyrer_loader(case)
    return harness.run_pyrer(
        pyrer,
        case.request,
        packages,
        variant_select_mode=case.variant_select_mode,
        load_family=load_family,
    )


def divergence(case: Case) -> list[str]:
    return harness.diff_outcomes(solve_rez(case), solve_pyrer(case))


def signature(rez: Outcome, actual: Outcome) -> tuple[Any, ...] | None:
    """The kind of a divergence (None if there is none); shrinking keeps it."""
    if rez.key() == actual.key():
        return None
    rez_error = rez.description.split(":")[0] if rez.status == "error" else ""
    return (
        rez.status,
        actual.status,
        rez_error,
        rez.resolved != actual.resolved,
        rez.ephemerals != actual.ephemerals,
    )


def case_signature(case: Case) -> tuple[Any, ...] | None:
    return signature(solve_rez(case), solve_pyrer(case))


# ---------------------------------------------------------------------------
# shrinking a failing case to a small repro
# ---------------------------------------------------------------------------


def _reductions(case: Case) -> Iterator[Case]:
    """Smaller variants of ``case``, biggest cuts first."""

    def clone() -> Case:
        return copy.deepcopy(case)

    if case.loader != "list":
        c = clone()
        c.loader = "list"
        yield c
    if case.variant_select_mode != "version_priority":
        c = clone()
        c.variant_select_mode = "version_priority"
        yield c
    for i in range(len(case.request)):
        c = clone()
        del c.request[i]
        yield c
    for fam in list(case.repo):
        c = clone()
        del c.repo[fam]
        yield c
    for fam, versions in case.repo.items():
        if len(versions) > 1:
            for v in list(versions):
                c = clone()
                del c.repo[fam][v]
                yield c
    for fam, versions in case.repo.items():
        for v, pkg in versions.items():
            if "variants" in pkg:
                c = clone()
                del c.repo[fam][v]["variants"]
                yield c
                for j in range(len(pkg["variants"])):
                    c = clone()
                    del c.repo[fam][v]["variants"][j]
                    if not c.repo[fam][v]["variants"]:
                        del c.repo[fam][v]["variants"]
                    yield c
                    for k in range(len(pkg["variants"][j])):
                        c = clone()
                        del c.repo[fam][v]["variants"][j][k]
                        yield c
            for j in range(len(pkg.get("requires") or [])):
                c = clone()
                del c.repo[fam][v]["requires"][j]
                yield c


def shrink(case: Case, budget_s: float = 30.0) -> tuple[Case, int]:
    """Greedily remove parts of ``case`` while pyrer still diverges from rez in
    the same way (same `signature`)."""
    wanted = case_signature(case)
    deadline = time.monotonic() + budget_s
    steps = 0
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for smaller in _reductions(case):
            if time.monotonic() > deadline:
                break
            try:
                still = case_signature(smaller) == wanted
            except Exception:
                still = False
            if still:
                case = smaller
                steps += 1
                improved = True
                break
    return case, steps


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

_statuses: Counter[str] = Counter()
_shrunk = [0]


@pytest.fixture(scope="module")
def cases() -> dict[int, Case]:
    return {seed: generate_case(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def rez_worker(
    cases: dict[int, Case], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.RezWorker]:
    worker = harness.RezWorker(
        [rez_job(c) for c in cases.values()], tmp_path_factory.mktemp("rez-worker")
    )
    yield worker
    worker.close()


def _replay_hint(seed: int) -> str:
    return (
        f"seed {seed} (base seed {BASE_SEED}); replay with "
        f"`python tests/test_solver_random_diff.py {seed}` or "
        f"`PYRER_RANDOM_DIFF_SEED={BASE_SEED} PYRER_RANDOM_DIFF_CASES={N_CASES} "
        f"pytest 'tests/test_solver_random_diff.py::test_random_case[seed{seed}]'`"
    )


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
def test_random_case(seed: int, cases: dict[int, Case], rez_worker: harness.RezWorker) -> None:
    case = cases[seed]
    rez = solve_rez(case)
    _statuses[rez.status] += 1
    rez_again = rez_worker.get(str(seed))
    if rez.key() != rez_again.key():
        lines = harness.diff_outcomes(rez, rez_again)
        pytest.fail(
            f"rez is not deterministic on this case (second run: PYTHONHASHSEED="
            f"{rez_worker.hash_seed}):\n"
            + "\n".join(lines)
            + f"\n{_replay_hint(seed)}\n"
            + case.describe(),
            pytrace=False,
        )

    actual = solve_pyrer(case)
    problems = harness.diff_outcomes(rez, actual)
    if not problems:
        return

    message = [f"pyrer diverges from rez on random case {_replay_hint(seed)}", *problems]
    if _shrunk[0] < MAX_SHRINKS:
        _shrunk[0] += 1
        small, steps = shrink(case)
        small_problems = divergence(small)
        message += [
            f"\nminimal repro ({steps} shrinking steps):",
            small.describe(),
            *small_problems,
            "\nas a script:",
            harness.dump_case(small.request, small.repo, small.variant_select_mode),
        ]
    else:
        message += ["\nrepro (not shrunk: shrink budget used up):", case.describe()]
    pytest.fail("\n".join(message), pytrace=False)


def test_random_cases_cover_every_status() -> None:
    """The generator keeps producing solves, failures and errors (runs after the cases)."""
    total = sum(_statuses.values())
    if total < 100:
        pytest.skip(f"only {total} random cases ran in this session")
    shares = {s: _statuses[s] / total for s in harness.STATUSES}
    assert all(share >= 0.08 for share in shares.values()), shares


@pytest.mark.parametrize("seed", SEEDS[:30], ids=[f"seed{s}" for s in SEEDS[:30]])
def test_memory_repo_matches_filesystem_repo(
    seed: int, cases: dict[int, Case], tmp_path: Path
) -> None:
    """rez answers the same on its memory repository and on package.py files."""
    case = cases[seed]
    root = harness.write_filesystem_repo(case.repo, tmp_path / "packages")
    on_disk = harness.run_rez(
        case.request, [str(root)], variant_select_mode=case.variant_select_mode
    ).outcome
    in_memory = solve_rez(case)
    assert on_disk.key() == in_memory.key(), "\n".join(
        harness.diff_outcomes(on_disk, in_memory) + [case.describe()]
    )


def test_rez_crash_is_reported_as_such() -> None:
    """rez 3.4 crashes (TypeError in _PackageEntry.sort) when the variants it
    sorts include a range-less weak requirement (``~c``) on a requested family.
    The harness counts that as an ``error`` and says that rez crashed.  Found by
    this test's generator (base seed 1, seed 108633)."""
    repo: RepoData = {
        "c": {"3.0": {"name": "c", "version": "3.0"}},
        "e": {"1": {"name": "e", "version": "1", "variants": [["c-3"], ["~c"]]}},
    }
    case = Case(-1, repo, ["e", "c"])
    outcome = solve_rez(case)
    assert outcome.status == "error", outcome
    assert outcome.description.startswith(harness.REZ_CRASH + "TypeError"), outcome


def _main(argv: list[str]) -> int:
    """Replay seeds: print the case, rez's answer and pyrer's answer."""
    if not argv:
        print(f"usage: {sys.argv[0]} SEED [SEED...]", file=sys.stderr)
        return 2
    rc = 0
    for seed in map(int, argv):
        case = generate_case(seed)
        print(f"== seed {seed}\n{case.describe()}")
        rez = solve_rez(case)
        print("rez:  ", rez.short())
        if hasattr(pyrer, "solve"):
            actual = solve_pyrer(case)
            print("pyrer:", actual.short())
            problems = harness.diff_outcomes(rez, actual)
            print("\n".join(problems) if problems else "identical")
            rc |= bool(problems)
    return rc


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
