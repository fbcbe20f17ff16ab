"""Benchmark the static package.py parser against PyPI pyrer 1.0.0rc3 and rez.

Usage::

    python scripts/bench_parser.py [--repo DIR] [--peer-python PATH] [--repeat N] [--rounds R]

By default the 18,226 files of rez's benchmark repository are extracted to a
temporary directory and flushed to disk (``os.sync``), so that the kernel's
writeback of the new files does not land on whichever side runs first. The
page cache is warmed by reading every file first. The peer (same import name,
so it lives in its own virtualenv) runs in a subprocess on the same files in
the same invocation. Ours and the peer alternate for ``--rounds`` rounds; each
round times each side ``--repeat`` times, and each figure is the best over
all of them. rez's own load is ``load_from_file`` plus validation with
``package_pod_schema``, i.e. what its filesystem repository does.

Wall times include freeing the previous run's results (for both sides). The
per-file loop is also timed in CPU time of the calling thread, which other
processes on a shared machine disturb far less than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PEER_SCRIPT = r"""
import json, sys, time
import pyrer
paths = json.load(sys.stdin)
repeat = int(sys.argv[1])
sources = [open(p, encoding="utf-8").read() for p in paths]
def best(fn, clock=time.perf_counter):
    times = []
    for _ in range(repeat):
        t = clock(); r = fn(); times.append(clock() - t)
    return min(times), r
batch, r = best(lambda: pyrer.parse_static_packages_py(paths))
single, _ = best(lambda: [pyrer.parse_static_package_py(s) for s in sources])
single_cpu, _ = best(lambda: [pyrer.parse_static_package_py(s) for s in sources],
                     time.thread_time)
print(json.dumps({"batch": batch, "single": single, "single_cpu": single_cpu,
                  "accepted": sum(x is not None for x in r)}))
"""


def benchmark_paths(repo: str | None) -> tuple[list[str], tempfile.TemporaryDirectory | None]:
    if repo is not None:
        root = Path(repo)
        tmp = None
    else:
        import rez

        tarball = Path(rez.__file__).parent / "data" / "benchmarking" / "packages.tar.gz"
        tmp = tempfile.TemporaryDirectory(prefix="pyrer-bench-")
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp.name)
        root = Path(tmp.name)
    paths = sorted(str(p) for p in root.rglob("package.py"))
    if tmp is not None:
        os.sync()
    return paths, tmp


def best_of(
    repeat: int, fn: Callable[[], object], clock: Callable[[], float] = time.perf_counter
) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeat):
        t = clock()
        result = fn()
        times.append(clock() - t)
    return min(times), result


def rez_load_all(paths: list[str]) -> None:
    from rez.package_resources import package_pod_schema
    from rez.serialise import FileFormat, load_from_file

    for p in paths:
        data = load_from_file(p, FileFormat.py, disable_memcache=True)
        data.pop("format_version", None)
        package_pod_schema.validate(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", help="repository root (default: rez's benchmark packages)")
    ap.add_argument("--peer-python", default="/tmp/peerenv/bin/python")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per round (default 3)")
    ap.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds of ours then peer (default 2)"
    )
    ap.add_argument("--skip-rez", action="store_true", help="do not time rez's own load")
    args = ap.parse_args()

    import pyrer

    paths, tmp = benchmark_paths(args.repo)
    n = len(paths)
    sources = [Path(p).read_text(encoding="utf-8") for p in paths]  # also warms the cache
    threads = os.environ.get("RAYON_NUM_THREADS", "default")
    print(f"files: {n}, threads: {threads}, {args.rounds} rounds of {args.repeat} runs")

    inf = float("inf")
    ours_batch = ours_single = ours_single_cpu = inf
    accepted = 0
    peer: dict[str, float] | None = None
    for _ in range(max(args.rounds, 1)):
        t, res = best_of(args.repeat, lambda: pyrer.parse_static_packages_py(paths))
        ours_batch = min(ours_batch, t)
        accepted = sum(x is not None for x in res)  # type: ignore[union-attr]
        del res
        t, _ = best_of(args.repeat, lambda: [pyrer.parse_static_package_py(s) for s in sources])
        ours_single = min(ours_single, t)
        t, _ = best_of(
            args.repeat,
            lambda: [pyrer.parse_static_package_py(s) for s in sources],
            time.thread_time,
        )
        ours_single_cpu = min(ours_single_cpu, t)

        if os.path.exists(args.peer_python):
            out = subprocess.run(
                [args.peer_python, "-c", PEER_SCRIPT, str(args.repeat)],
                input=json.dumps(paths),
                capture_output=True,
                text=True,
                check=True,
                cwd=tempfile.gettempdir(),
            )
            this = json.loads(out.stdout)
            if peer is None:
                peer = this
            else:
                for key in ("batch", "single", "single_cpu"):
                    peer[key] = min(peer[key], this[key])

    rez_time = None
    if not args.skip_rez:
        rez_time, _ = best_of(1, lambda: rez_load_all(paths))

    def us(t: float) -> str:
        return f"{t / n * 1e6:8.2f} µs/file"

    print(f"accepted: ours {accepted}/{n}", end="")
    print(f", peer {peer['accepted']}/{n}" if peer else "")
    print(f"batched  ours {us(ours_batch)}", end="")
    if peer:
        print(f" | peer {us(peer['batch'])} | ours is {peer['batch'] / ours_batch:.2f}x peer")
    else:
        print()
    print(f"per-file ours {us(ours_single)}", end="")
    if peer:
        print(f" | peer {us(peer['single'])} | ours is {peer['single'] / ours_single:.2f}x peer")
    else:
        print()
    print(f"per-file CPU  {us(ours_single_cpu)}", end="")
    if peer:
        ratio = peer["single_cpu"] / ours_single_cpu
        print(f" | peer {us(peer['single_cpu'])} | ours is {ratio:.2f}x peer")
    else:
        print()
    if rez_time is not None:
        print(
            f"rez load      {us(rez_time)} | batched ours is {rez_time / ours_batch:.0f}x rez,"
            f" per-file ours is {rez_time / ours_single:.0f}x rez"
        )
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
