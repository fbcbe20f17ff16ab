"""Compare pyrer's resolves with rez 3.4's on a repository: the bisect tool for divergences.

    python scripts/compare_resolves.py REPO [REPO...] --n 30        # 30 random families
    python scripts/compare_resolves.py REPO --request maya-2024 nuke-15

pyrer runs the way the solver shim runs it (`pyrer.solve` with the shim's
`load_family` over the package paths, range hints, ``pyrer@`` memos); rez runs
its own solver through `ResolvedContext` (with the shim switched off).

Per request: ✓ identical, ≠ divergent, x pyrer-only failure, X rez-only
failure, · both fail. Divergences and pyrer-only failures get a per-package
diff. Exit status 0 only when there is no ≠ and no x.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass, field

import pyrer
from rez.config import config
from rez.package_repository import package_repository_manager
from rez.resolved_context import ResolvedContext
from rez.resolver import ResolverStatus

from rezplugins.solver_shim.loader import FamilyLoader

Entry = tuple[str, str, "int | None"]


@dataclass
class Answer:
    ok: bool
    resolved: list[Entry] = field(default_factory=list)
    ephemerals: list[str] = field(default_factory=list)
    detail: str = ""


def rez_answer(request: list[str], paths: list[str]) -> Answer:
    os.environ["PYRER_SHIM"] = "0"
    try:
        ctx = ResolvedContext(request, package_paths=paths, add_implicit_packages=False)
    except Exception as e:
        return Answer(False, detail=f"{type(e).__name__}: {e}")
    finally:
        del os.environ["PYRER_SHIM"]
    if ctx.status != ResolverStatus.solved:
        return Answer(False, detail=f"{ctx.status.name}: {ctx.failure_description}")
    return Answer(
        True,
        [(v.name, str(v.version), v.index) for v in ctx.resolved_packages],
        [str(e) for e in ctx.resolved_ephemerals or []],
    )


def pyrer_answer(request: list[str], paths: list[str]) -> Answer:
    loader = FamilyLoader(paths)
    result = pyrer.solve(
        request, load_family=loader, variant_select_mode=str(config.variant_select_mode)
    )
    if loader.failure is not None:
        return Answer(False, detail=f"{loader.failure.reason}: {loader.failure.detail}")
    if result.status != "solved":
        return Answer(False, detail=f"{result.status}: {result.failure_description}")
    return Answer(True, list(result.resolved), list(result.resolved_ephemerals))


def package_diff(rez: Answer, ours: Answer) -> list[str]:
    def fmt(e: Entry | None) -> str:
        return "-" if e is None else f"{e[1]}{'' if e[2] is None else f'[{e[2]}]'}"

    a = {e[0]: e for e in rez.resolved}
    b = {e[0]: e for e in ours.resolved}
    lines = [
        f"      {name:30} rez {fmt(a.get(name)):24} pyrer {fmt(b.get(name))}"
        for name in sorted(set(a) | set(b))
        if a.get(name) != b.get(name)
    ]
    common_rez = [x for x in rez.resolved if x in b.values()]
    if common_rez != [x for x in ours.resolved if x in a.values()]:
        lines.append("      (order differs)")
    if rez.ephemerals != ours.ephemerals:
        lines.append(f"      ephemerals: rez {rez.ephemerals} pyrer {ours.ephemerals}")
    return lines


def random_requests(paths: list[str], n: int, seed: int) -> list[list[str]]:
    names: set[str] = set()
    for path in paths:
        repo = package_repository_manager.get_repository(path)
        names.update(f.name for f in repo.iter_package_families())
    rng = random.Random(seed)
    return [[name] for name in rng.sample(sorted(names), min(n, len(names)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", metavar="REPO", help="package paths (pyrer@... too)")
    parser.add_argument("--n", type=int, default=30, help="random families to resolve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--request", nargs="+", help="one request instead of random families")
    parser.add_argument("--show", type=int, default=5, help="diffs to print")
    args = parser.parse_args(argv)

    requests = [args.request] if args.request else random_requests(args.repos, args.n, args.seed)
    counts = {"✓": 0, "≠": 0, "x": 0, "X": 0, "·": 0}
    shown = 0
    for request in requests:
        rez, ours = rez_answer(request, args.repos), pyrer_answer(request, args.repos)
        if rez.ok and ours.ok:
            same = (rez.resolved, rez.ephemerals) == (ours.resolved, ours.ephemerals)
            mark = "✓" if same else "≠"
        else:
            mark = "x" if rez.ok else "X" if ours.ok else "·"
        counts[mark] += 1
        print(f"{mark} {' '.join(request)}")
        if mark in "≠x" and shown < args.show:
            shown += 1
            if mark == "x":
                print(f"      pyrer: {ours.detail}")
            print("\n".join(package_diff(rez, ours)))
        elif mark == "X":
            print(f"      rez: {rez.detail}")
    print(
        f"\n{len(requests)} requests: "
        + ", ".join(f"{counts[k]} {k}" for k in ("✓", "≠", "x", "X", "·"))
    )
    return 0 if counts["≠"] == 0 and counts["x"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
