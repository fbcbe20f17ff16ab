#!/usr/bin/env python
"""Benchmark pyrer on long dependency chains: does solve time grow linearly?

Shapes (N links, request ``p0``; ``pN`` is the last link and requires nothing):

``chain``
    ``p<i>-1`` requires ``p<i+1>``: one version per family (issue 11's case).
``reversed``
    like ``chain``, but links are named so that deeper ones sort first
    (``p0`` requires ``q<N-1>``, ..., down to ``q000000``): rez's ordering
    then moves every link.
``versions``
    each link has versions 1, 2 and 3; ``p<i>-<v>`` requires ``p<i+1>-<v>+``
    (the solver keeps every version until it splits).
``diamond``
    ``p<i>-1`` requires ``a<i>`` and ``b<i>``, both of which require
    ``p<i+1>``: a chain of diamonds (3 families per link).
``variants``
    ``p<i>-1`` has two variants, ``[p<i+1>, py-3]`` and ``[p<i+1>, py-2]``:
    the chain runs through variants, and choosing ``py-3`` reduces every
    link.

Each (shape, N) runs in its own process (``--worker``), so the peak RSS
(``ru_maxrss``) is that solve's.  A run builds the ``PackageData`` list, then
solves twice: ``pyrer.solve(["p0"], pyrer.Repository(packages))`` (timed
around the solve only; the Repository is built before) and
``pyrer.solve(["p0"], load_family=...)`` with a dict lookup as the callback.
Both answers are checked against the expected full chain (every family once,
dependencies before dependants; for ``chain`` the one possible order).

``--rez N`` also solves the shapes at N links with rez 3.4's own solver (via
``tests/solver_harness.py``) and compares the answers exactly (order and
variant indices included).  rez is slow on long chains: keep N to a few
hundred or thousand.

This is a benchmark to read, never a timed assertion.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHAPES = ("chain", "reversed", "versions", "diamond", "variants")


def link(shape: str, n: int, i: int) -> str:
    """The name of link ``i``: ``p<i>``, or for ``reversed`` names that sort
    deeper links first (``p0`` then ``q<n-i>``, zero-padded)."""
    return f"q{n - i:06d}" if shape == "reversed" and i else f"p{i}"


def chain_packages(shape: str, n: int) -> list[tuple[str, str, list[str], list[list[str]] | None]]:
    """(name, version, requires, variants) of the ``shape`` chain of ``n`` links."""
    out: list[tuple[str, str, list[str], list[list[str]] | None]] = []
    for i in range(n + 1):
        last = i == n
        nxt = link(shape, n, i + 1)
        if shape in ("chain", "reversed"):
            out.append((link(shape, n, i), "1", [] if last else [nxt], None))
        elif shape == "versions":
            for v in (1, 2, 3):
                out.append((f"p{i}", str(v), [] if last else [f"{nxt}-{v}+"], None))
        elif shape == "diamond":
            if last:
                out.append((f"p{i}", "1", [], None))
            else:
                out.append((f"p{i}", "1", [f"a{i}", f"b{i}"], None))
                out.append((f"a{i}", "1", [nxt], None))
                out.append((f"b{i}", "1", [nxt], None))
        elif shape == "variants":
            if last:
                out.append((f"p{i}", "1", [], None))
            else:
                out.append((f"p{i}", "1", [], [[nxt, "py-3"], [nxt, "py-2"]]))
        else:
            raise ValueError(shape)
    if shape == "variants":
        out += [("py", "2", [], None), ("py", "3", [], None)]
    return out


def expected_set(shape: str, n: int) -> set[tuple[str, str, int | None]]:
    if shape in ("chain", "reversed"):
        return {(link(shape, n, i), "1", None) for i in range(n + 1)}
    if shape == "versions":
        return {(f"p{i}", "3", None) for i in range(n + 1)}
    if shape == "diamond":
        return (
            {(f"p{i}", "1", None) for i in range(n + 1)}
            | {(f"a{i}", "1", None) for i in range(n)}
            | {(f"b{i}", "1", None) for i in range(n)}
        )
    return {(f"p{i}", "1", 0) for i in range(n)} | {(f"p{n}", "1", None), ("py", "3", None)}


def check_answer(shape: str, n: int, result: Any) -> str | None:
    """None when ``result`` is the full chain in a dependency order."""
    if result.status != "solved":
        return f"status {result.status}: {result.failure_description}"
    resolved = [tuple(x) for x in result.resolved]
    if set(resolved) != expected_set(shape, n) or len(resolved) != len(set(resolved)):
        return f"wrong packages ({len(resolved)} resolved)"
    chain_order = [link(shape, n, i) for i in range(n, -1, -1)]
    if shape in ("chain", "reversed") and [r[0] for r in resolved] != chain_order:
        return "chain out of order"
    pos = {name: k for k, (name, _, _) in enumerate(resolved)}
    for p in result.resolved_packages:
        for req in p.requires:
            dep = req.split("-")[0]
            if pos[dep] > pos[p.name]:
                return f"{dep} after its dependant {p.name}"
    return None


def worker(shape: str, n: int) -> dict[str, Any]:
    import pyrer

    t0 = time.perf_counter()
    packages = [pyrer.PackageData(*p) for p in chain_packages(shape, n)]
    t1 = time.perf_counter()
    repo = pyrer.Repository(packages)
    t2 = time.perf_counter()
    r = pyrer.solve(["p0"], repo)
    t3 = time.perf_counter()
    families: dict[str, list[Any]] = {}
    for p in packages:
        families.setdefault(p.name, []).append(p)
    t4 = time.perf_counter()
    lazy = pyrer.solve(["p0"], load_family=lambda name, version_range=None: families.get(name))
    t5 = time.perf_counter()
    problems = [check_answer(shape, n, r), check_answer(shape, n, lazy)]
    if r.resolved != lazy.resolved:
        problems.append("repository and load_family answers differ")
    return {
        "shape": shape,
        "n": n,
        "packages_s": t1 - t0,
        "repository_s": t2 - t1,
        "solve_s": t3 - t2,
        "solve_inner_ms": r.solve_time_ms,
        "load_family_s": t5 - t4,
        "iterations": r.num_iterations,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "problems": [p for p in problems if p],
    }


def compare_with_rez(shape: str, n: int) -> tuple[bool, float, float]:
    sys.path.insert(0, str(HERE.parent / "tests"))
    import pyrer
    from solver_harness import memory_repo_path, pyrer_outcome, run_rez

    data: dict[str, dict[str, dict[str, Any]]] = {}
    for name, version, requires, variants in chain_packages(shape, n):
        pkg: dict[str, Any] = {"name": name, "version": version, "requires": requires}
        if variants is not None:
            pkg["variants"] = variants
        data.setdefault(name, {})[version] = pkg
    rez = run_rez(["p0"], [memory_repo_path(data)])
    packages = [pyrer.PackageData(*p) for p in chain_packages(shape, n)]
    t0 = time.perf_counter()
    ours = pyrer_outcome(pyrer.solve(["p0"], pyrer.Repository(packages)))
    ours_s = time.perf_counter() - t0
    return rez.outcome.key() == ours.key(), rez.wall_time, ours_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,20000,40000", help="comma-separated N")
    ap.add_argument(
        "--shapes", default="chain", help=f"comma-separated, of {','.join(SHAPES)}, or all"
    )
    ap.add_argument("--rez", type=int, default=0, metavar="N", help="compare with rez at N links")
    ap.add_argument("--worker", nargs=2, metavar=("SHAPE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]))))
        return 0

    shapes = SHAPES if args.shapes == "all" else tuple(args.shapes.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    ok = True
    for shape in shapes:
        print(f"== {shape} ==")
        header = ("N", "solve s", "inner ms", "load_family s", "iter", "peak RSS MB")
        print("{:>8} {:>9} {:>10} {:>14} {:>6} {:>12}".format(*header))
        times: dict[int, float] = {}
        for n in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", shape, str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout)
            times[n] = row["solve_s"]
            print(
                f"{n:>8} {row['solve_s']:>9.3f} {row['solve_inner_ms']:>10.1f} "
                f"{row['load_family_s']:>14.3f} {row['iterations']:>6} {row['peak_rss_mb']:>12.1f}"
                + (f"  WRONG: {row['problems']}" if row["problems"] else "")
            )
            ok &= not row["problems"]
        lo, hi = min(sizes), max(sizes)
        if lo != hi and times[lo] > 0:
            print(f"ratio {hi}/{lo}: {times[hi] / times[lo]:.2f} (linear: {hi / lo:.0f})")
        if args.rez:
            same, rez_s, ours_s = compare_with_rez(shape, args.rez)
            print(
                f"rez at N={args.rez}: {'same answer' if same else 'DIFFERENT answer'} "
                f"(rez {rez_s:.2f} s, pyrer {ours_s:.3f} s)"
            )
            ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
