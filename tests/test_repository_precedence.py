"""Which repository a package comes from: the same (name, version) in several package paths.

rez's rule (``rez.packages.iter_packages``): for a (name, version) found in
several paths, the first path wins, even when the other paths define it with
other requirements or spell its version otherwise (``1.0`` / ``1-0``, which
rez holds equal).  Random layered repositories (`layered_case`) put
overlapping versions of the same families, with different requirements and
spellings, in two or three folders; each resolve is made with the solver shim
over ``pyrer@`` paths, plain filesystem paths and mixtures, in random orders,
and compared with stock rez (``PYRER_SHIM=0``) on the same paths: the saved
context (``to_dict()`` minus times: resolved variant handles, which name the
repository type and location each variant comes from, and the graph), or the
same exception.  Stock rez on the plain paths in the same order must pick the
same (name, version, variant index, location).

``pyrer.solve`` with a seed (``packages``: a ``pyrer.Repository`` or a list of
``PackageData``) and a ``load_family`` callback: a family present in the seed
is served by the seed alone, whole (the callback is never asked for it, as
``tests/test_solve_api.py`` states too; the README does not say): rez's answer
for that is rez on a folder holding the seeded families in place of the
callback's.

Seeds: ``PYRER_PRECEDENCE_SEED * 100_000 + i``; 60 layered repositories and
60 seeded ones when ``CI=true``, 15 otherwise (``PYRER_PRECEDENCE_CASES=N``).
"""

from __future__ import annotations

import copy
import os
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import disk_repos
import pyrer
import pytest
import solver_harness as harness
import test_solver_random_diff as memory_diff
from disk_repos import (
    context_answer,
    diff_contexts,
    forget_pyrer_repo,
    memo_env,
    pyrer_repository,
    shim,
)
from solver_harness import NO_VERSION, RepoData

BASE_SEED = int(os.environ.get("PYRER_PRECEDENCE_SEED", "0"))
N_CASES = harness.case_count("PYRER_PRECEDENCE_CASES", ci=60, local=15)
SEEDS = [BASE_SEED * 100_000 + i for i in range(N_CASES)]
CONFIGS_PER_CASE = 4
REQUESTS_PER_CONFIG = 4

_shim_counts: Counter[str] = Counter()


# ---------------------------------------------------------------------------
# layered repositories
# ---------------------------------------------------------------------------


def _respell(version: str, rng: random.Random) -> str:
    """The same rez version with some separators swapped (``1.0`` -> ``1-0``)."""
    parts = re.split(r"([.-])", version)
    for i in range(1, len(parts), 2):
        if rng.random() < 0.6:
            parts[i] = "-" if parts[i] == "." else "."
    return "".join(parts)


def _other_requires(rng: random.Random, repo: RepoData) -> list[str]:
    """Requirements borrowed from other packages of the repository (valid strings)."""
    pool = [r for fam in repo.values() for pkg in fam.values() for r in pkg.get("requires") or []]
    return rng.sample(pool, min(len(pool), rng.randint(0, 2)))


def layered_case(seed: int) -> tuple[list[RepoData], list[disk_repos.Forms], RepoData]:
    """Two or three layers sharing (name, version)s with different definitions."""
    base = memory_diff.generate_case(seed).repo
    rng = random.Random(f"layers-{seed}")
    n_layers = rng.randint(2, 3)
    layers: list[RepoData] = [{} for _ in range(n_layers)]
    for fam, versions in base.items():
        for key, pkg in versions.items():
            where = [j for j in range(n_layers) if rng.random() < 0.6] or [rng.randrange(n_layers)]
            for n, j in enumerate(where):
                copy_ = copy.deepcopy(pkg)
                spelled = key
                if n and rng.random() < 0.5:
                    copy_["requires"] = _other_requires(rng, base)
                if n and key != NO_VERSION and rng.random() < 0.3:
                    spelled = _respell(key, rng)
                    copy_["version"] = spelled
                layers[j].setdefault(fam, {})[spelled] = copy_
    forms = [disk_repos.random_forms(rng, layer) for layer in layers]
    return layers, forms, base


def _variants(answer: Any) -> Any:
    """(name, version, index, location) of each resolved variant, or the exception type."""
    if isinstance(answer, tuple):
        return ("raised", answer[1])
    return [
        tuple(h["variables"].get(k) for k in ("name", "version", "index", "location"))
        for h in answer.get("resolved_packages") or []
    ]


@pytest.mark.parametrize("seed", SEEDS, ids=[f"layers{s}" for s in SEEDS])
def test_first_path_wins_like_rez(seed: int, tmp_path: Path) -> None:
    layers, forms, base = layered_case(seed)
    roots = [
        disk_repos.write_disk_repo(layer, f, tmp_path / f"layer{j}")
        for j, (layer, f) in enumerate(zip(layers, forms))
    ]
    disk_repos.settle()
    rng = random.Random(f"precedence-{seed}")
    problems: list[str] = []
    with memo_env(tmp_path / "memo", evaluated=rng.random() < 0.3):
        try:
            for c in range(CONFIGS_PER_CASE):
                order = rng.sample(roots, rng.randint(2, len(roots)))
                kind = ("pyrer", "plain", "mixed", "mixed")[c]
                pyrer_at = [
                    kind == "pyrer" or (kind == "mixed" and rng.random() < 0.5) for _ in order
                ]
                if kind == "mixed" and len(set(pyrer_at)) == 1:
                    pyrer_at[0] = not pyrer_at[0]
                paths = [f"pyrer@{r}" if p else str(r) for r, p in zip(order, pyrer_at)]
                plain = [str(r) for r in order]
                for _ in range(REQUESTS_PER_CONFIG):
                    request = disk_repos.random_request(rng, base)
                    mode = "intersection_priority" if rng.random() < 0.3 else "version_priority"
                    before = shim.metrics.snapshot()
                    ours = context_answer(request, paths, mode, active=True)
                    for k, v in shim.metrics.snapshot().items():
                        _shim_counts[k] += v - before.get(k, 0)
                    theirs = context_answer(request, paths, mode, active=False)
                    found = diff_contexts(ours, theirs)
                    rez_plain = context_answer(request, plain, mode, active=False)
                    if _variants(ours) != _variants(rez_plain):
                        found.append(
                            "not the variants (name, version, index, location) stock rez "
                            f"picks on the plain paths:\n    shim: {_variants(ours)}\n"
                            f"    rez:  {_variants(rez_plain)}"
                        )
                    if found:
                        problems.append(
                            f"paths {paths}, request {request} ({mode}):\n  " + "\n  ".join(found)
                        )
        finally:
            for root in roots:
                forget_pyrer_repo(root, tmp_path / "memo")
    if problems:
        layout = "\n".join(f"layer{j} ({roots[j]}): {layer}" for j, layer in enumerate(layers))
        pytest.fail(
            f"seed {seed} (base {BASE_SEED}): the shim does not pick what rez picks\n"
            + "\n".join(problems)
            + "\n"
            + layout,
            pytrace=False,
        )


def test_layered_cases_went_through_pyrer() -> None:
    """Most layered resolves were answered by pyrer, not by rez's fallback (runs last)."""
    total = sum(_shim_counts[k] for k in ("hit", "miss", "fallback"))
    if total < 100:
        pytest.skip(f"only {total} layered resolves ran in this session")
    assert _shim_counts["hit"] >= total // 5, _shim_counts


def test_same_version_spelled_otherwise_in_a_later_path(tmp_path: Path) -> None:
    """``1-0`` in a later path is the same version as ``1.0`` in an earlier one:
    the first path's definition and spelling win, for the shim as for rez."""
    first = {
        "foo": {"1.0": {"name": "foo", "version": "1.0", "requires": ["bar-1"]}},
        "bar": {"1": {"name": "bar", "version": "1"}, "2": {"name": "bar", "version": "2"}},
    }
    later = {"foo": {"1-0": {"name": "foo", "version": "1-0", "requires": ["bar-2"]},
                     "0.9": {"name": "foo", "version": "0.9"}}}  # fmt: skip
    roots = []
    for j, layer in enumerate((first, later)):
        forms = {fam: dict.fromkeys(versions, "static") for fam, versions in layer.items()}
        roots.append(disk_repos.write_disk_repo(layer, forms, tmp_path / f"layer{j}"))
    disk_repos.settle()
    with memo_env(tmp_path / "memo", evaluated=False):
        try:
            for order in (roots, roots[::-1]):
                for kinds in ((True, True), (True, False), (False, True)):
                    paths = [f"pyrer@{r}" if k else str(r) for r, k in zip(order, kinds)]
                    for request in (["foo"], ["foo-1.0"], ["foo", "bar-2"], ["foo-1-0"]):
                        ours = context_answer(request, paths, "version_priority", active=True)
                        theirs = context_answer(request, paths, "version_priority", active=False)
                        assert not diff_contexts(ours, theirs), (paths, request)
        finally:
            for root in roots:
                forget_pyrer_repo(root, tmp_path / "memo")


# ---------------------------------------------------------------------------
# a seed plus load_family: seeded families win, whole
# ---------------------------------------------------------------------------


def _schema_safe(reqs: list[str]) -> list[str]:
    """Drops ``~.e`` / ``!.e``: rez's package schema rejects them in a file,
    while a seed's PackageData accepts them (as rez's Solver does)."""
    return [r for r in reqs if not r.startswith(("~.", "!."))]


def seeded_case(seed: int) -> tuple[RepoData, disk_repos.Forms, RepoData]:
    """The callback's repository, its forms, and the seeded families (other definitions)."""
    base = memory_diff.generate_case(seed).repo
    rng = random.Random(f"seeded-{seed}")
    forms = disk_repos.random_forms(rng, base)
    names = list(base)
    seeded: RepoData = {}
    for fam in rng.sample(names, rng.randint(1, max(1, len(names) // 2))):
        keys = list(base[fam])
        kept = rng.sample(keys, rng.randint(1, len(keys)))
        seeded[fam] = {}
        for key in kept:
            pkg = copy.deepcopy(base[fam][key])
            if rng.random() < 0.5:
                pkg["requires"] = _other_requires(rng, base)
            pkg["requires"] = _schema_safe(pkg.get("requires") or [])
            if "variants" in pkg:
                pkg["variants"] = [_schema_safe(v) for v in pkg["variants"]]
            seeded[fam][key] = pkg
    return base, forms, seeded


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seeded{s}" for s in SEEDS])
def test_seeded_families_win_over_load_family(seed: int, tmp_path: Path) -> None:
    base, forms, seeded = seeded_case(seed)
    root = disk_repos.write_disk_repo(base, forms, tmp_path / "packages")
    # rez's view of "seed first, whole families": the seeded families replace the callback's
    combined = {fam: seeded.get(fam, versions) for fam, versions in base.items()}
    combined_forms = {
        fam: ({k: "static" for k in seeded[fam]} if fam in seeded else forms[fam]) for fam in base
    }
    oracle_root = disk_repos.write_disk_repo(combined, combined_forms, tmp_path / "combined")
    seed_packages = [
        harness.package_data_from_dict(pyrer, pkg) for pkg in harness.iter_repo_packages(seeded)
    ]
    rng = random.Random(f"seeded-requests-{seed}")
    problems: list[str] = []
    with memo_env(tmp_path / "memo", evaluated=False):
        try:
            repo = pyrer_repository(root)
            asked: list[str] = []

            def load_family(name: str, version_range: str | None = None) -> list[Any]:
                asked.append(name)
                return list(repo.load_family(name, version_range))

            for _ in range(8):
                request = disk_repos.random_request(rng, base)
                mode = "intersection_priority" if rng.random() < 0.3 else "version_priority"
                rez = harness.run_rez(request, [str(oracle_root)], variant_select_mode=mode)
                for given in ("list", "Repository"):
                    packages: Any = list(seed_packages)
                    if given == "Repository":
                        packages = pyrer.Repository(packages)
                    got = harness.run_pyrer(
                        pyrer, request, packages, variant_select_mode=mode, load_family=load_family
                    )
                    found = harness.diff_outcomes(rez.outcome, got)
                    if disk_repos.rez_sort_quirk(rez.outcome, got):
                        found = []  # rez is not deterministic there (see disk_repos)
                    if found:
                        problems.append(
                            f"{request} ({mode}, seed as {given}):\n  " + "\n  ".join(found)
                        )
            wrongly_asked = sorted(set(asked) & set(seeded))
            if wrongly_asked:
                problems.append(f"load_family was asked for seeded families {wrongly_asked}")
        finally:
            forget_pyrer_repo(root, tmp_path / "memo")
    if problems:
        pytest.fail(
            f"seed {seed} (base {BASE_SEED}): seed + load_family is not rez's answer on the "
            f"seeded families plus the others\n"
            + "\n".join(problems)
            + f"\nseeded: {seeded}\nrepository: {base}",
            pytrace=False,
        )
