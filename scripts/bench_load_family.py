#!/usr/bin/env python3
"""Family loading for the 188 benchmark requests: rez vs PyPI pyrer vs pyrer@.

First the script records which ``load_family(name, version_range)`` calls
pyrer's solver makes for each of rez's 188 benchmark requests. Then, in
separate fresh processes (each request starts with rez's caches cleared, as
in a new ``rez env``), it times the same calls served by:

- ``rez``: rez's ``iter_packages(name, range_)`` + ``PackageData.from_rez``;
- ``peer cold``: PyPI pyrer 1.0.0rc3's recommended cold path in its own
  virtualenv (rez's ``iter_packages`` for the file list, one batched
  ``parse_static_packages_py``, ``from_rez`` for what it declines), with the
  file path taken from ``pkg.resource.filepath`` so the parser is really used;
- ``ours, no memo``: ``pyrer@``'s loader with the memo switched off;
- ``ours, warm memo``: ``pyrer@``'s loader after ``pyrer-index``; it must open
  no package.py (counted);

and times ``pyrer-index`` filling an empty memo with the whole repository.
Usage: ``python scripts/bench_load_family.py [--peer-python PY]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, repo: str, calls_file: str) -> dict[str, Any]:
    import pyrer
    from rez.package_repository import package_repository_manager
    from rez.packages import iter_packages

    calls: list[list[list[Any]]] = json.loads(Path(calls_file).read_text())
    times = []
    counters: dict[str, int] = {}
    loaded = 0
    for request_calls in calls:
        package_repository_manager.clear_caches()
        if kind.startswith("ours"):
            from pyrer.rez_repository import PyrerPackageRepository

            ours = PyrerPackageRepository(repo, package_repository_manager.pool)
        start = time.perf_counter()
        for name, version_range in request_calls:
            if kind == "rez":
                out = [pyrer.PackageData.from_rez(p)
                       for p in iter_packages(name, range_=version_range, paths=[repo])]
            elif kind == "peer":
                pkgs = list(iter_packages(name, range_=version_range, paths=[repo]))
                paths = [p.resource.filepath for p in pkgs]
                parsed = pyrer.parse_static_packages_py(paths) if paths else []
                out = [pd if pd is not None else pyrer.PackageData.from_rez(p)
                       for pd, p in zip(parsed, pkgs)]
            else:
                out = ours.load_family(name, version_range)
            loaded += len(out)
        times.append(time.perf_counter() - start)
        if kind.startswith("ours"):
            for k, v in ours.load_counters.items():
                counters[k] = counters.get(k, 0) + v
    return {"times": times, "loaded": loaded, "rss_mib": max_rss_mib(), "counters": counters}


def record_calls(repo: str) -> list[list[list[Any]]]:
    """The load_family calls pyrer's solver makes, per benchmark request."""
    import pyrer
    from pyrer._native import load_family

    requests = json.loads((Path(__import__("rez").__file__).parent / "data" / "benchmarking"
                           / "requests.json").read_text())
    calls: list[list[list[Any]]] = []

    def loader(name: str, version_range: str | None = None) -> list[Any]:
        calls[-1].append([name, version_range])
        return list(load_family(repo, name, version_range).packages)

    for request in requests:
        calls.append([])
        pyrer.solve(request, load_family=loader)
    return calls


def run_worker(python: str, kind: str, repo: str, calls_file: str, env: dict[str, str]) -> Any:
    out = subprocess.run([python, __file__, "--worker", kind, "--repo", repo, "--calls",
                          calls_file], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer-python", help="interpreter with PyPI pyrer 1.0.0rc3 and rez")
    ap.add_argument("--worker")
    ap.add_argument("--repo")
    ap.add_argument("--calls")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repo, args.calls)))
        return 0

    from bench_solver import extract, peer_python

    data = ROOT / ".demo-data"
    data.mkdir(exist_ok=True)
    repo = str(extract(data))
    peer, why = peer_python(argparse.Namespace(peer_python=args.peer_python, no_peer=False))
    with tempfile.TemporaryDirectory(prefix="pyrer-bench-") as scratch:
        calls_file = os.path.join(scratch, "calls.json")
        calls = record_calls(repo)
        Path(calls_file).write_text(json.dumps(calls))
        n_calls = sum(len(c) for c in calls)
        print(f"{len(calls)} requests, {n_calls} load_family calls, repository {repo}")

        memo_dir = os.path.join(scratch, "memo")
        env = {**os.environ, "PYRER_MEMO_DIR": memo_dir}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pyrer.index", "-q", repo], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        index_s = time.perf_counter() - start

        results = {"rez": run_worker(sys.executable, "rez", repo, calls_file, env)}
        if peer:
            results["peer cold"] = run_worker(peer, "peer", repo, calls_file, env)
        else:
            print(f"peer skipped: {why}")
        results["ours, no memo"] = run_worker(sys.executable, "ours-nomemo", repo, calls_file,
                                              {**env, "PYRER_MEMO": "0"})
        results["ours, warm memo"] = run_worker(sys.executable, "ours-warm", repo, calls_file, env)

    loaded = {r["loaded"] for r in results.values()}
    print(f"packages loaded per run: {sorted(loaded)} (must be one number)")
    warm = results["ours, warm memo"]
    print(f"pyrer-index, empty memo, 18,226 files: {index_s:.2f} s (incl. interpreter start)")
    print(f"warm memo: package.py files opened = {warm['counters'].get('files_read', 0)}, "
          f"memo hits = {warm['counters'].get('memo_hits', 0)}")
    print()
    print("| loader | total | median / request | peak RSS | rez / it | it / warm memo |")
    print("|---|---|---|---|---|---|")
    rez_total = sum(results["rez"]["times"])
    warm_total = sum(warm["times"])
    for label, r in results.items():
        total = sum(r["times"])
        print(f"| {label} | {total:.3f} s | {statistics.median(r['times']) * 1e3:.2f} ms | "
              f"{r['rss_mib']:.0f} MiB | {rez_total / total:.1f}x | {total / warm_total:.1f}x |")
    return 0 if len(loaded) == 1 and warm["counters"].get("files_read", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
