#!/usr/bin/env python
"""Record rez 3.4's answers to its own benchmark: tests/data/rez_benchmark_results.json.

rez ships a benchmark with its source: ``rez/data/benchmarking/packages.tar.gz``
(18,226 ``package.py``) and ``requests.json`` (188 requests).  This script
extracts the repository into a temporary folder, warms rez's package cache the
way ``rez-benchmark`` does (so loading does not count as solving), and solves
every request with ``rez.solver.Solver`` configured as ``ResolvedContext``
configures it for ``rez-benchmark`` (package paths = the benchmark repository,
no implicit packages, the config's empty package filter and orderers,
``building=False``, ``variant_select_mode=version_priority``); see
``tests/solver_harness.py:run_rez``.

Every request is solved twice, in two interpreters started with different
``PYTHONHASHSEED`` values (one after the other, or side by side with
``--parallel``); the script stops without writing anything if the two disagree,
so the recorded answers are known to be deterministic.  The timings recorded
are those of the first interpreter.

Usage::

    .venv/bin/python scripts/gen_rez_benchmark_results.py [--out PATH] [--limit N]

Each interpreter takes about as long as rez's own benchmark (~255 s of solving
on a 2-core machine, plus ~30 s of loading and validating the packages).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import solver_harness as harness  # noqa: E402

HASH_SEEDS = (1, 2)


def warm_package_cache(package_path: str) -> int:
    """Load and validate every package and variant, as ``rez-benchmark`` does."""
    from rez.packages import iter_package_families

    n = 0
    for family in iter_package_families(paths=[package_path]):
        for pkg in family.iter_packages():
            pkg.validate_data()
            for _ in pkg.iter_variants():
                pass
            n += 1
    return n


def run_worker(package_path: str, out_file: str, limit: int) -> int:
    """Solve every benchmark request; write one JSON line per request."""
    t0 = time.perf_counter()
    n = warm_package_cache(package_path)
    load_secs = time.perf_counter() - t0
    requests = harness.load_benchmark_requests()[:limit]
    with open(out_file, "w") as out:
        out.write(json.dumps({"loaded_packages": n, "load_time": load_secs}) + "\n")
        for i, request in enumerate(requests):
            run = harness.run_rez(request, [package_path])
            line = {
                "index": i,
                "outcome": run.outcome.to_json(),
                "solve_time": run.solve_time,
                "wall_time": run.wall_time,
                "error_type": run.error_type,
            }
            out.write(json.dumps(line) + "\n")
            out.flush()
    return 0


def read_lines(path: Path) -> list[dict[str, Any]]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def dump_document(doc: dict[str, Any]) -> str:
    """JSON with one line per request, so that a diff of the file reads well."""
    head = {k: v for k, v in doc.items() if k != "results"}
    text = json.dumps(head, indent=1)[:-2]  # drop the closing "\n}"
    rows = ",\n".join("  " + json.dumps(r) for r in doc["results"])
    return text + ',\n "results": [\n' + rows + "\n ]\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=harness.BENCHMARK_RESULTS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N requests")
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="run the two rez interpreters side by side (faster, but each one's solve "
        "times are inflated by sharing the machine)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("PACKAGE_PATH", "OUT_JSONL"))
    args = parser.parse_args()

    import rez

    requests = harness.load_benchmark_requests()
    limit = len(requests) if args.limit is None else args.limit
    if args.worker:
        return run_worker(args.worker[0], args.worker[1], limit)

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rez-benchmark-") as tmp:
        package_path = str(harness.extract_benchmark_repo(Path(tmp)))
        print(f"extracted the benchmark repository into {package_path}", flush=True)
        procs = []
        outs = []
        rcs = []
        how = "side by side" if args.parallel else "one after the other"
        print(f"solving {limit} requests twice, {how} (PYTHONHASHSEED={HASH_SEEDS})...", flush=True)
        for seed in HASH_SEEDS:
            out = Path(tmp) / f"run-{seed}.jsonl"
            outs.append(out)
            env = {**os.environ, "PYTHONHASHSEED": str(seed)}
            cmd = [sys.executable, __file__, "--worker", package_path, str(out)]
            if args.limit is not None:
                cmd += ["--limit", str(limit)]
            procs.append(subprocess.Popen(cmd, env=env))
            if not args.parallel:
                rcs.append(procs[-1].wait())
        if args.parallel:
            rcs = [p.wait() for p in procs]
        if any(rcs):
            print(f"a rez worker failed: return codes {rcs}", file=sys.stderr)
            return 1
        runs = [read_lines(out) for out in outs]

    header = runs[0][0]
    first, second = runs[0][1:], runs[1][1:]
    if len(first) != limit or len(second) != limit:
        print("a rez worker did not answer every request", file=sys.stderr)
        return 1

    mismatches = []
    results = []
    for i, (a, b) in enumerate(zip(first, second)):
        oa = harness.Outcome.from_json(a["outcome"])
        ob = harness.Outcome.from_json(b["outcome"])
        if oa.key() != ob.key():
            mismatches.append((i, oa, ob))
        results.append(
            {
                "index": i,
                "request": requests[i],
                "status": oa.status,
                "resolved": [list(x) for x in oa.resolved],
                "ephemerals": list(oa.ephemerals),
                "failure_description": oa.description or None,
                "error_type": a["error_type"],
                "solve_time": a["solve_time"],
                "wall_time": a["wall_time"],
            }
        )
    if mismatches:
        for i, oa, ob in mismatches:
            print(f"request #{i} {requests[i]}: rez is not deterministic", file=sys.stderr)
            for line in harness.diff_outcomes(oa, ob):
                print("   ", line, file=sys.stderr)
        return 1

    times = sorted(r["solve_time"] for r in results if r["solve_time"] is not None)
    counts = {s: sum(1 for r in results if r["status"] == s) for s in harness.STATUSES}
    doc = {
        "description": (
            "rez's own answers to its benchmark (rez/data/benchmarking): for each "
            "request, status (solved/failed/error), resolved [name, version, "
            "variant_index] in rez's order, resolved ephemerals, failure "
            "description, and rez's solve time in seconds (Solver.solve_time; "
            "wall_time also counts building the Solver). Generated by "
            "scripts/gen_rez_benchmark_results.py; every request was solved twice "
            "in two interpreters with different PYTHONHASHSEED and agreed."
        ),
        "rez_version": rez.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "settings": {
            "variant_select_mode": "version_priority",
            "package_filter": None,
            "package_orderers": None,
            "building": False,
            "error_on_missing_variant_requires": True,
            "implicit_packages": [],
        },
        "loaded_packages": header["loaded_packages"],
        "summary": {
            **counts,
            "total_solve_time": sum(times),
            "median_solve_time": times[len(times) // 2] if times else None,
            "max_solve_time": times[-1] if times else None,
        },
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as f:
        f.write(dump_document(doc))
    elapsed = time.perf_counter() - t_start
    print(
        f"wrote {args.out}: {counts}, total rez solve time {sum(times):.1f} s "
        f"(script {elapsed:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
