"""Demo: pyrer on rez's own benchmark data, next to rez.

1. Unpacks rez's benchmark repository (18,226 package.py files shipped with
   rez) under ./.demo-data (once).
2. Reads every package.py with pyrer's static parser (Rust, in parallel).
3. Resolves rez's 188 benchmark requests with pyrer's solver.
4. Resolves a few of them with rez 3.4 itself and checks the answers agree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tarfile
import time
from pathlib import Path

import pyrer
import rez
from rez.solver import Solver, SolverStatus
from rez.version import Requirement

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(rez.__file__).parent / "data" / "benchmarking"


def unpack(dest: Path) -> Path:
    repo = dest / "packages"
    if not (repo / ".complete").exists():
        print(f"unpacking rez's benchmark repository into {dest} ...")
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(BENCH / "packages.tar.gz") as tar:
            tar.extractall(dest)  # noqa: S202 - rez's own data
        (repo / ".complete").touch()
    return repo


def rez_resolve(request: list[str], repo: Path) -> tuple[str, list[tuple[str, str, int | None]]]:
    solver = Solver([Requirement(r) for r in request], [str(repo)])
    solver.solve()
    if solver.status != SolverStatus.solved:
        return solver.status.name, []
    return "solved", [(v.name, str(v.version), v.index) for v in solver.resolved_packages]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rez", type=int, default=3, help="requests to check against rez")
    args = parser.parse_args()

    repo = unpack(ROOT / ".demo-data")
    files = sorted(str(p) for p in repo.glob("*/*/package.py"))
    t0 = time.perf_counter()
    parsed = pyrer.parse_static_packages_py(files)
    t_parse = time.perf_counter() - t0
    packages = [p for p in parsed if p is not None]
    print(f"parsed {len(packages)}/{len(files)} package.py files in {t_parse:.2f} s "
          f"({t_parse / len(files) * 1e6:.1f} µs/file)")

    repository = pyrer.Repository(packages)
    with open(BENCH / "requests.json") as f:
        requests: list[list[str]] = json.load(f)
    times, results = [], []
    for request in requests:
        t0 = time.perf_counter()
        results.append(pyrer.solve(request, repository))
        times.append(time.perf_counter() - t0)
    statuses = {s: sum(r.status == s for r in results) for s in ("solved", "failed", "error")}
    print(f"pyrer resolved {len(requests)} requests in {sum(times):.2f} s "
          f"(median {statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.0f} ms): "
          f"{statuses}")
    print(f"  e.g. {' '.join(requests[1])}\n   -> " + " ".join(
        f"{n}-{v}" + ("" if i is None else f"[{i}]") for n, v, i in results[1].resolved))

    mismatches = 0
    for i in range(min(args.rez, len(requests))):
        t0 = time.perf_counter()
        status, resolved = rez_resolve(requests[i], repo)
        t_rez = time.perf_counter() - t0
        ours = results[i]
        same = (status, resolved) == (ours.status, [tuple(x) for x in ours.resolved])
        mismatches += not same
        print(f"request {i}: rez {t_rez * 1e3:.0f} ms, pyrer {times[i] * 1e3:.1f} ms "
              f"({t_rez / times[i]:.0f}x), {'identical' if same else 'DIFFERENT'}")

    a, b = pyrer.VersionRange("1+<2"), pyrer.VersionRange("1.5+")
    print(f"VersionRange('1+<2') & VersionRange('1.5+') = {a & b}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
