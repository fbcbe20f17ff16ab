#!/usr/bin/env python
"""Benchmark the solver: rez 3.4, PyPI pyrer 1.0.0rc3 (the peer) and ours, side by side.

What it measures
----------------
rez ships a benchmark with its source: ``rez/data/benchmarking/requests.json``
(188 requests) over ``packages.tar.gz`` (18,226 ``package.py``).  This script
solves those requests, in one invocation, on the same machine and the same
data, with three solvers, each in its own process:

``rez``
    rez 3.4's own ``rez.solver.Solver``, configured as ``ResolvedContext``
    configures it for ``rez-benchmark`` (``rez/cli/benchmark.py``): package
    paths = the extracted benchmark repository, no implicit packages, the
    config's package filter and orderers (``PackageFilterList.singleton``,
    ``PackageOrderList.singleton``), ``building=False``,
    ``prune_unfailed=config.prune_failed_graph``.  The settings that change
    what rez picks are pinned (``variant_select_mode=version_priority``, no
    package filter, no orderers, ``error_on_missing_variant_requires``), so a
    user config cannot change the figures.  Unlike ``rez-benchmark`` no
    progress callback is passed (it prints a dot per solver step).  Before
    solving, the package cache is warmed exactly as ``rez-benchmark`` does it
    (every package loaded and validated, every variant created).  rez is slow,
    so by default it solves an evenly spaced sample of the requests:
    ``--rez N`` solves the requests at indices ``i * 188 // N`` for
    ``i < N`` (default N = 32, i.e. about every 6th request: 0, 5, 11, 17,
    ...); ``--rez all`` solves all 188 (about 5-7 minutes more).
``peer``
    PyPI ``pyrer==1.0.0rc3``, run as a black box from its own virtualenv (it
    has the same import name as ours).  Used as its documentation recommends
    for many solves: the ``PackageData`` list is built once, then
    ``pyrer.solve(request, packages)`` is called per request.
``ours``
    This project's ``pyrer``, imported from the interpreter running this
    script: the ``PackageData`` list is built once and wrapped once in
    ``pyrer.Repository``; then ``pyrer.solve(request, repo)`` per request.

Loading is never part of a solve time.  The rez process loads the benchmark
repository through rez (and, on the first run, writes every package's
``(name, version, requires, variants)`` to ``packages.json`` next to the
extracted repository: the raw strings of ``package.py`` where they are plain
string lists, else the strings of rez's evaluated requirements).  The peer and
ours each build their ``PackageData`` from that file in their own process, with
``PackageData.from_strings``.  Each solve is timed with ``time.perf_counter``
around the solve call only: ``pyrer.solve(...)`` for the two pyrers,
``Solver(...)`` + ``solver.solve()`` for rez (building the ``Solver`` parses
the request strings, as ``pyrer.solve`` does).  The solvers' own inner times
(``SolveResult.solve_time_ms``, ``Solver.solve_time``) are reported beside.

The peer and ours solve all 188 requests ``--repeat K`` times (default 3); the
passes alternate between the two processes (ours, peer, peer, ours, ...), so
that a change in the machine's load hits both alike, and each request's time is
its best (minimum) over the K passes.  rez solves its sample once.  The median
is ``statistics.median`` (the mean of the two middle values for an even count).
Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of each solver's
process at its end (so it includes the loaded packages; the RSS right after
loading is reported too).

Agreement is on status (solved / failed / error) plus the resolved
``(name, version, variant_index)`` list, in order: ours and the peer against
live rez on rez's sample, ours against the peer on all 188, and each against
rez's recorded answers for all 188 (``tests/data/rez_benchmark_results.json``,
when present).  Ratios are speed-ups, slower / faster: rez / ours and
rez / peer on rez's sample, peer / ours on all 188, for the total and the
median of the solve times.

Usage::

    .venv/bin/python scripts/bench_solver.py [--rez N|all] [--repeat K]
        [--peer-python PATH | --no-peer] [--data-dir DIR] [--json OUT.json]

Without ``--peer-python`` the peer runs from ``./.venv-peer``, which is created
on first use (``python -m venv`` + ``pip install pyrer==1.0.0rc3 rez==3.4.0``);
if that fails the script says so and goes on without the peer.  ``--data-dir``
keeps the extracted repository and ``packages.json`` between runs (default: a
temporary directory, removed at the end, under ``/dev/shm`` when that has
1 GiB free: writing and deleting 18k files on a busy disk, or on ext4 mounted
with ``discard``, can take minutes; loading is never timed anyway).  The
default run takes a few minutes on a 2-core machine; run nothing else heavy
meanwhile, and read the figures as ratios (the load average at start and end
is printed and recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Optional

ROOT = Path(__file__).resolve().parent.parent
PEER_VERSION = "1.0.0rc3"
PEER_VENV = ROOT / ".venv-peer"
PEER_REQUIREMENTS = (f"pyrer=={PEER_VERSION}", "rez==3.4.0")
RECORDED_RESULTS = ROOT / "tests" / "data" / "rez_benchmark_results.json"
DEFAULT_REZ_SAMPLE = 32
DEFAULT_REPEAT = 3
CACHE_NAME = "packages.json"
SOLVERS = ("rez", "peer", "ours")
LABELS = {"rez": "rez 3.4 (Python)", "peer": f"pyrer {PEER_VERSION} (PyPI)", "ours": "pyrer (ours)"}

Resolved = list[list[Any]]
"""``[[name, version, variant_index], ...]`` in the solver's order (JSON shape)."""
Outcome = dict[str, Any]
"""``{"status": str, "resolved": Resolved, "description": str}``."""
PackageTuple = tuple[str, str, Optional[list[str]], Optional[list[list[str]]]]


# ---------------------------------------------------------------------------
# worker side: runs in the project venv (rez, ours) or the peer's venv (peer).
# Only the standard library is imported at module level, so the peer's
# interpreter can run this file too.
# ---------------------------------------------------------------------------


def max_rss_kib() -> int:
    """Peak resident set size of this process (KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def rez_package_tuple(pkg: Any) -> tuple[PackageTuple, bool]:
    """``(name, version, requires, variants)`` of a rez package; True if evaluated.

    The raw ``package.py`` strings are used where they are plain string lists
    (what ``PackageData.from_strings`` takes); otherwise (``@early`` code and
    the like) the strings of the requirements rez evaluated.
    """
    data = pkg.data or {}
    requires = data.get("requires")
    variants = data.get("variants")

    def strings(x: Any) -> bool:
        return x is None or (isinstance(x, list) and all(isinstance(s, str) for s in x))

    version = str(pkg.version)
    if strings(requires) and (
        variants is None or (isinstance(variants, list) and all(strings(v) for v in variants))
    ):
        return (pkg.name, version, requires, variants), False
    ev_requires = None if pkg.requires is None else [str(r) for r in pkg.requires]
    ev_variants = None if pkg.variants is None else [[str(r) for r in v] for v in pkg.variants]
    return (pkg.name, version, ev_requires, ev_variants), True


def rez_load(package_path: str, cache: Path) -> dict[str, Any]:
    """Warm rez's package cache as ``rez-benchmark`` does; write ``cache`` if missing."""
    from rez.packages import iter_package_families

    tuples: list[PackageTuple] = []
    evaluated = 0
    for family in iter_package_families(paths=[package_path]):
        for pkg in family.iter_packages():
            pkg.validate_data()
            for _ in pkg.iter_variants():
                pass
            tup, ev = rez_package_tuple(pkg)
            tuples.append(tup)
            evaluated += ev
    if not cache.exists():
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(tuples))
        tmp.replace(cache)
    return {"packages": len(tuples), "evaluated_packages": evaluated}


def make_rez_solve(package_path: str) -> Callable[[list[str]], tuple[float, float | None, Outcome]]:
    """A function solving one request with rez's Solver: (wall s, Solver.solve_time, outcome)."""
    from rez.config import config
    from rez.package_filter import PackageFilterList
    from rez.package_order import PackageOrderList
    from rez.solver import Solver, SolverStatus
    from rez.version import Requirement

    pinned: dict[str, Any] = {
        "variant_select_mode": "version_priority",
        "error_on_missing_variant_requires": True,
        "package_filter": None,
        "package_orderers": None,
        "prune_failed_graph": True,
        "allow_unversioned_packages": True,
    }
    for key, value in pinned.items():
        config.override(key, value)

    def solve(request: list[str]) -> tuple[float, float | None, Outcome]:
        t0 = time.perf_counter()
        try:
            solver = Solver(
                package_requests=[Requirement(r) for r in request],
                package_paths=[package_path],
                context=None,
                package_filter=PackageFilterList.singleton,
                package_orderers=PackageOrderList(PackageOrderList.singleton),
                building=False,
                prune_unfailed=config.prune_failed_graph,
            )
            solver.solve()
        except Exception as exc:  # rez reports a missing package etc. by raising
            wall = time.perf_counter() - t0
            return wall, None, {"status": "error", "resolved": [], "description": repr(exc)}
        wall = time.perf_counter() - t0
        if solver.status == SolverStatus.solved:
            resolved = [[v.name, str(v.version), v.index] for v in solver.resolved_packages]
            outcome = {"status": "solved", "resolved": resolved, "description": ""}
        elif solver.status == SolverStatus.failed:
            outcome = {
                "status": "failed",
                "resolved": [],
                "description": solver.failure_description(),
            }
        else:
            outcome = {"status": f"rez-{solver.status.name}", "resolved": [], "description": ""}
        return wall, solver.solve_time, outcome

    return solve


def make_pyrer_solve(
    cache: Path, wrap_in_repository: bool
) -> tuple[dict[str, Any], Callable[[list[str]], tuple[float, float | None, Outcome]]]:
    """Build the PackageData list (and Repository) once; return load figures and a solve."""
    import pyrer

    t0 = time.perf_counter()
    tuples = json.loads(cache.read_text())
    t1 = time.perf_counter()
    packages = [pyrer.PackageData.from_strings(n, v, r, vs) for n, v, r, vs in tuples]
    t2 = time.perf_counter()
    target: Any = pyrer.Repository(packages) if wrap_in_repository else packages
    t3 = time.perf_counter()
    try:
        from importlib.metadata import version

        dist_version = version("pyrer")
    except Exception:
        dist_version = str(getattr(pyrer, "__version__", "?"))
    info = {
        "packages": len(packages),
        "read_json_s": t1 - t0,
        "package_data_s": t2 - t1,
        "repository_s": t3 - t2 if wrap_in_repository else None,
        "pyrer_version": dist_version,
        "pyrer_file": str(pyrer.__file__),
    }

    def solve(request: list[str]) -> tuple[float, float | None, Outcome]:
        t = time.perf_counter()
        try:
            result = pyrer.solve(request, target)
        except Exception as exc:
            wall = time.perf_counter() - t
            return wall, None, {"status": "raised", "resolved": [], "description": repr(exc)}
        wall = time.perf_counter() - t
        resolved = [[p.name, p.version, p.variant_index] for p in result.resolved_packages]
        outcome = {
            "status": str(result.status),
            "resolved": resolved,
            "description": result.failure_description or "",
        }
        return wall, result.solve_time_ms / 1000.0, outcome

    return info, solve


def protocol_sender() -> Callable[[dict[str, Any]], None]:
    """In a worker: a function that sends JSON lines to the driver. The
    protocol gets a private copy of stdout; anything printed by rez or a pyrer
    goes to stderr instead, so it cannot corrupt the protocol."""
    proto: IO[str] = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    return send


def worker_main(kind: str, job_file: str) -> int:
    """Load once, then answer ``pass`` / ``quit`` commands on stdin (JSON lines out)."""
    send = protocol_sender()

    job = json.loads(Path(job_file).read_text())
    requests: list[list[str]] = [job["requests"][i] for i in job["indices"]]
    cache = Path(job["cache"])
    t0 = time.perf_counter()
    if kind == "rez":
        info = rez_load(job["package_path"], cache)
        solve = make_rez_solve(job["package_path"])
    else:
        info, solve = make_pyrer_solve(cache, wrap_in_repository=(kind == "ours"))
    info["load_s"] = time.perf_counter() - t0
    info["rss_after_load_kib"] = max_rss_kib()
    info["python"] = platform.python_version()
    send({"event": "ready", **info})

    for line in sys.stdin:
        command = line.strip()
        if command == "pass":
            walls: list[float] = []
            inner: list[float | None] = []
            outcomes: list[Outcome] = []
            for request in requests:
                wall, inner_s, outcome = solve(request)
                walls.append(wall)
                inner.append(inner_s)
                outcomes.append(outcome)
            send({"event": "pass", "wall": walls, "inner": inner, "outcomes": outcomes})
        elif command == "quit":
            break
    send({"event": "done", "max_rss_kib": max_rss_kib()})
    return 0


# ---------------------------------------------------------------------------
# driver side
# ---------------------------------------------------------------------------


class WorkerError(RuntimeError):
    pass


class Worker:
    """One solver's process, driven line by line."""

    def __init__(
        self,
        kind: str,
        python: str,
        job_file: Path,
        script: Path = Path(__file__),
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        """Runs ``python script --worker kind job_file [extra_args]``."""
        self.kind = kind
        self.proc = subprocess.Popen(
            [python, str(script.resolve()), "--worker", kind, str(job_file), *extra_args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(job_file.parent),  # not ROOT: ours must not shadow the peer's pyrer
        )

    def read(self, event: str) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            rc = self.proc.wait()
            raise WorkerError(f"the {self.kind} process ended (return code {rc})")
        obj: dict[str, Any] = json.loads(line)
        if obj.get("event") != event:
            raise WorkerError(f"the {self.kind} process sent {obj.get('event')!r}, not {event!r}")
        return obj

    def command(self, command: str, event: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError as exc:
            raise WorkerError(f"the {self.kind} process is gone") from exc
        return self.read(event)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stdout, stamped with the seconds since the script started."""
    print(f"[{time.perf_counter() - _T0:5.0f} s] {message}", flush=True)


def peer_python(args: argparse.Namespace) -> tuple[str | None, str]:
    """The peer's interpreter (created in ./.venv-peer if needed), or None and why not."""
    if args.no_peer:
        return None, "disabled with --no-peer"
    if args.peer_python:
        python = str(args.peer_python)
    else:
        python = str(PEER_VENV / "bin" / "python")
        if not Path(python).exists():
            log(f"creating {PEER_VENV} with pip install {' '.join(PEER_REQUIREMENTS)} ...")
            t = time.perf_counter()
            try:
                subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
                subprocess.run(
                    [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
                    + list(PEER_REQUIREMENTS),
                    check=True,
                )
            except (OSError, subprocess.CalledProcessError) as exc:
                return None, f"could not create {PEER_VENV}: {exc}"
            log(f"created {PEER_VENV} in {time.perf_counter() - t:.0f} s")
    check = (
        "import importlib.metadata as m, pyrer; "
        "print(m.version('pyrer')); assert hasattr(pyrer, 'solve')"
    )
    try:
        out = subprocess.run(
            [python, "-c", check],
            check=True,
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"{python} cannot import the peer pyrer: {exc}"
    if out != PEER_VERSION:
        log(f"warning: the peer at {python} is pyrer {out}, not {PEER_VERSION}")
    return python, f"pyrer {out} at {python}"


def scratch_dir() -> str | None:
    """Where the temporary data goes: /dev/shm if it is roomy enough, else the default."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= 2**30:
            return str(shm)
    except OSError:
        pass
    return None


def rez_sample(total: int, spec: str) -> list[int]:
    if spec == "all":
        return list(range(total))
    n = min(int(spec), total)
    return sorted({i * total // n for i in range(n)}) if n > 0 else []


def extract(data_dir: Path) -> Path:
    """Extract rez's benchmark repository into ``data_dir`` (once); return its package path."""
    import rez

    package_path = data_dir / "packages"
    if package_path.is_dir():
        return package_path
    tarball = Path(rez.__file__).parent / "data" / "benchmarking" / "packages.tar.gz"
    data_dir.mkdir(parents=True, exist_ok=True)
    tar = shutil.which("tar")
    if tar:  # much faster than tarfile on 18k small files
        subprocess.run([tar, "-xzf", str(tarball)], cwd=data_dir, check=True)
    else:
        with tarfile.open(tarball) as archive:
            archive.extractall(data_dir)  # noqa: S202 - rez's own tarball
    return package_path


def same(a: Outcome, b: Outcome) -> bool:
    return a["status"] == b["status"] and [tuple(x) for x in a["resolved"]] == [
        tuple(x) for x in b["resolved"]
    ]


def agreement(
    a: dict[int, Outcome], b: dict[int, Outcome], indices: Sequence[int]
) -> tuple[int, list[int]]:
    """How many of ``indices`` agree, and the ones that do not."""
    bad = [i for i in indices if not same(a[i], b[i])]
    return len(indices) - len(bad), bad


def summarize(times: Sequence[float]) -> dict[str, float | None]:
    if not times:
        return {"total_s": None, "median_s": None, "max_s": None}
    return {"total_s": sum(times), "median_s": statistics.median(times), "max_s": max(times)}


def ratio(slow: float | None, fast: float | None) -> float | None:
    return slow / fast if slow is not None and fast else None


def fmt(x: float | None, scale: float = 1.0, digits: int = 2) -> str:
    return "-" if x is None else f"{x * scale:.{digits}f}"


def run_solver(worker: Worker, passes: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start-up figures, then ``passes`` passes, back to back."""
    ready = worker.read("ready")
    results = [worker.command("pass", "pass") for _ in range(passes)]
    return ready, results


def combine_passes(
    indices: Sequence[int], passes: list[dict[str, Any]]
) -> tuple[dict[int, float], dict[int, float | None], dict[int, Outcome], list[int]]:
    """Per request: best wall time, inner time of that pass, outcome; unstable requests."""
    wall: dict[int, float] = {}
    inner: dict[int, float | None] = {}
    outcomes: dict[int, Outcome] = {}
    unstable: list[int] = []
    for k, i in enumerate(indices):
        pass_walls = [p["wall"][k] for p in passes]
        best = pass_walls.index(min(pass_walls))
        wall[i] = passes[best]["wall"][k]
        inner[i] = passes[best]["inner"][k]
        outcomes[i] = passes[0]["outcomes"][k]
        if any(not same(outcomes[i], p["outcomes"][k]) for p in passes[1:]):
            unstable.append(i)
    return wall, inner, outcomes, unstable


def load_recorded(requests: list[list[str]]) -> dict[int, Outcome] | None:
    """rez's recorded answers to all 188 (tests/data), if present and for these requests."""
    try:
        doc = json.loads(RECORDED_RESULTS.read_text())
    except (OSError, ValueError):
        return None
    entries = doc.get("results", [])
    if [e.get("request") for e in entries] != requests:
        return None
    return {
        e["index"]: {"status": e["status"], "resolved": e["resolved"], "description": ""}
        for e in entries
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark rez 3.4, PyPI pyrer 1.0.0rc3 and ours on rez's benchmark."
    )
    parser.add_argument(
        "--rez",
        default=str(DEFAULT_REZ_SAMPLE),
        metavar="N|all",
        help="how many requests rez solves, evenly spaced (default %(default)s; 0: none)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        metavar="K",
        help="passes for ours and the peer; best time per request (default %(default)s)",
    )
    parser.add_argument("--peer-python", type=Path, help="interpreter with pyrer 1.0.0rc3")
    parser.add_argument("--no-peer", action="store_true", help="do not run the peer")
    parser.add_argument("--data-dir", type=Path, help="keep the extracted data here")
    parser.add_argument("--json", type=Path, help="write the raw figures to this file")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args.worker[0], args.worker[1])
    if args.rez != "all" and not args.rez.isdigit():
        parser.error("--rez takes a number or 'all'")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    t_script = time.perf_counter()
    load_start = os.getloadavg()
    log(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")

    import rez

    requests_json = Path(rez.__file__).parent / "data" / "benchmarking" / "requests.json"
    requests: list[list[str]] = json.loads(requests_json.read_text())
    everything = list(range(len(requests)))
    sample = rez_sample(len(requests), args.rez)

    peer, peer_note = peer_python(args)
    log(f"peer: {peer_note}")

    tmp = None
    if args.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pyrer-bench-solver-", dir=scratch_dir())
        data_dir = Path(tmp.name)
    else:
        data_dir = args.data_dir.resolve()
    workers: list[Worker] = []
    try:
        t = time.perf_counter()
        package_path = extract(data_dir)
        log(f"benchmark repository in {package_path} ({time.perf_counter() - t:.1f} s)")
        cache = data_dir / CACHE_NAME
        jobs = {}
        for kind, indices in (("rez", sample), ("peer", everything), ("ours", everything)):
            job_file = data_dir / f"job-{kind}.json"
            job_file.write_text(
                json.dumps(
                    {
                        "requests": requests,
                        "indices": indices,
                        "package_path": str(package_path),
                        "cache": str(cache),
                    }
                )
            )
            jobs[kind] = job_file

        ready: dict[str, dict[str, Any]] = {}
        passes: dict[str, list[dict[str, Any]]] = {}
        done: dict[str, dict[str, Any]] = {}
        failures: dict[str, str] = {}

        # 1. rez: loads (and writes the package cache), then solves its sample once.
        if sample or not cache.exists():
            log(f"rez: loading the repository, then solving {len(sample)} requests ...")
            t = time.perf_counter()
            w = Worker("rez", sys.executable, jobs["rez"])
            workers.append(w)
            try:
                ready["rez"], passes["rez"] = run_solver(w, 1 if sample else 0)
                done["rez"] = w.command("quit", "done")
            except WorkerError as exc:
                failures["rez"] = str(exc)
                log(f"rez failed: {exc}")
            w.close()
            log(f"rez: done in {time.perf_counter() - t:.0f} s")
        if not cache.exists():
            log("no package cache was written: cannot run the pyrers")
            return 1

        # 2. ours and the peer: load both, then alternate passes.
        pyrers: dict[str, Worker] = {}
        for kind, python in (("ours", sys.executable), ("peer", peer)):
            if python is None:
                failures[kind] = peer_note
                continue
            w = Worker(kind, python, jobs[kind])
            workers.append(w)
            try:
                ready[kind] = w.read("ready")
                passes[kind] = []
                pyrers[kind] = w
                log(
                    f"{kind}: loaded {ready[kind]['packages']} packages in "
                    f"{ready[kind]['load_s']:.1f} s"
                )
            except WorkerError as exc:
                failures[kind] = str(exc)
                log(f"{kind} failed to load: {exc}")
        for k in range(args.repeat):
            order = ["ours", "peer"] if k % 2 == 0 else ["peer", "ours"]
            for kind in order:
                if kind not in pyrers:
                    continue
                t = time.perf_counter()
                try:
                    passes[kind].append(pyrers[kind].command("pass", "pass"))
                except WorkerError as exc:
                    failures[kind] = str(exc)
                    log(f"{kind} failed: {exc}")
                    del pyrers[kind]
                    continue
                log(f"{kind}: pass {k + 1}/{args.repeat}: {time.perf_counter() - t:.1f} s")
        for kind, w in pyrers.items():
            try:
                done[kind] = w.command("quit", "done")
            except WorkerError as exc:
                failures[kind] = str(exc)
    finally:
        for w in workers:
            w.close()
        # The temporary data is removed at the end of main (after the report:
        # deleting 18k files can take half a minute on a busy machine), or by
        # TemporaryDirectory's finalizer at exit if something went wrong.

    # ---- figures -----------------------------------------------------------
    indices_of = {"rez": sample, "peer": everything, "ours": everything}
    wall: dict[str, dict[int, float]] = {}
    inner: dict[str, dict[int, float | None]] = {}
    outcomes: dict[str, dict[int, Outcome]] = {}
    unstable: dict[str, list[int]] = {}
    for kind in SOLVERS:
        if passes.get(kind) and kind not in failures:
            wall[kind], inner[kind], outcomes[kind], unstable[kind] = combine_passes(
                indices_of[kind], passes[kind]
            )
    recorded = load_recorded(requests)

    def times(kind: str, indices: Sequence[int]) -> list[float]:
        return [wall[kind][i] for i in indices] if kind in wall else []

    rows: dict[str, dict[str, Any]] = {}
    for kind in SOLVERS:
        if kind not in wall:
            continue
        idx = indices_of[kind]
        inner_times = [x for x in (inner[kind][i] for i in idx) if x is not None]
        statuses = [outcomes[kind][i]["status"] for i in idx]
        row: dict[str, Any] = {
            "requests": len(idx),
            **summarize(times(kind, idx)),
            "inner_total_s": sum(inner_times) if inner_times else None,
            "inner_median_s": statistics.median(inner_times) if inner_times else None,
            "status_counts": {s: statuses.count(s) for s in sorted(set(statuses))},
            "load_s": ready[kind]["load_s"],
            "rss_after_load_mib": ready[kind]["rss_after_load_kib"] / 1024,
            "peak_rss_mib": done[kind]["max_rss_kib"] / 1024 if kind in done else None,
            "unstable_across_passes": unstable[kind],
        }
        if kind != "rez" and sample:
            row["on_rez_sample"] = summarize(times(kind, sample))
        if kind != "rez" and "rez" in outcomes:
            n, bad = agreement(outcomes[kind], outcomes["rez"], sample)
            row["agree_with_rez_sample"] = {"agree": n, "of": len(sample), "disagree": bad}
        if recorded is not None:
            n, bad = agreement(outcomes[kind], recorded, idx)
            row["agree_with_recorded_rez"] = {"agree": n, "of": len(idx), "disagree": bad}
        rows[kind] = row

    agreements: dict[str, Any] = {}
    if "ours" in outcomes and "peer" in outcomes:
        n, bad = agreement(outcomes["ours"], outcomes["peer"], everything)
        agreements["ours_vs_peer_all"] = {"agree": n, "of": len(everything), "disagree": bad}

    ratios: dict[str, float | None] = {}

    def add_ratio(name: str, slow: str, fast: str, indices: Sequence[int]) -> None:
        a, b = summarize(times(slow, indices)), summarize(times(fast, indices))
        ratios[f"{name}_total"] = ratio(a["total_s"], b["total_s"])
        ratios[f"{name}_median"] = ratio(a["median_s"], b["median_s"])

    if sample:
        add_ratio("rez_over_ours_on_sample", "rez", "ours", sample)
        add_ratio("rez_over_peer_on_sample", "rez", "peer", sample)
    add_ratio("peer_over_ours_all", "peer", "ours", everything)

    load_end = os.getloadavg()
    script_s = time.perf_counter() - t_script

    # ---- table -------------------------------------------------------------
    print()
    print(
        f"rez benchmark: {len(requests)} requests; rez sample: {len(sample)} requests "
        f"({'all' if len(sample) == len(requests) else 'indices i*188//N'}); "
        f"best of {args.repeat} pass(es) for ours and the peer"
    )
    header = (
        f"{'solver':<26}{'reqs':>5}{'total s':>9}{'median ms':>11}{'max ms':>9}"
        f"{'inner s':>9}{'load s':>8}{'RSS load':>10}{'peak RSS':>10}"
    )
    print(header)
    print("-" * len(header))

    def line(label: str, n: int, s: dict[str, Any], row: dict[str, Any] | None) -> None:
        extra = ""
        if row is not None:
            extra = (
                f"{fmt(row['inner_total_s']):>9}{fmt(row['load_s'], digits=1):>8}"
                f"{fmt(row['rss_after_load_mib'], digits=0) + ' MiB':>10}"
                f"{fmt(row['peak_rss_mib'], digits=0) + ' MiB':>10}"
            )
        print(
            f"{label:<26}{n:>5}{fmt(s['total_s']):>9}{fmt(s['median_s'], 1000, 1):>11}"
            f"{fmt(s['max_s'], 1000, 0):>9}{extra}"
        )

    for kind in SOLVERS:
        if kind in rows:
            line(LABELS[kind], rows[kind]["requests"], rows[kind], rows[kind])
    for kind in ("peer", "ours"):
        if kind in rows and "on_rez_sample" in rows[kind] and "rez" in rows:
            line(f"  {kind} on rez's sample", len(sample), rows[kind]["on_rez_sample"], None)
    for kind, why in failures.items():
        print(f"{LABELS[kind]:<26} not run: {why}")
    print(
        "(inner s: the solver's own solve time, SolveResult.solve_time_ms / Solver.solve_time;"
        " RSS: ru_maxrss after loading / at the end)"
    )

    print()
    print("agreement (status + resolved (name, version, variant_index), in order):")
    for kind in ("ours", "peer"):
        if kind not in rows:
            continue
        for key, what in (
            ("agree_with_rez_sample", "live rez on its sample"),
            ("agree_with_recorded_rez", "rez's recorded answers"),
        ):
            if key in rows[kind]:
                a = rows[kind][key]
                bad = f"  disagree: {a['disagree']}" if a["disagree"] else ""
                print(f"  {kind:<5} vs {what:<24} {a['agree']:>4}/{a['of']}{bad}")
    if "ours_vs_peer_all" in agreements:
        a = agreements["ours_vs_peer_all"]
        bad = f"  disagree: {a['disagree']}" if a["disagree"] else ""
        print(f"  ours  vs {'the peer on all':<24} {a['agree']:>4}/{a['of']}{bad}")
    if "rez" in outcomes and recorded is not None:
        n, bad = agreement(outcomes["rez"], recorded, sample)
        rows["rez"]["agree_with_recorded_rez"] = {"agree": n, "of": len(sample), "disagree": bad}
        print(
            f"  rez   vs {'its recorded answers':<24} {n:>4}/{len(sample)}"
            + (f"  disagree: {bad}" if bad else "")
        )
    for kind in SOLVERS:
        if unstable.get(kind):
            print(f"  warning: {kind} answered differently across passes: {unstable[kind]}")

    print()
    print("speed-ups (slower / faster; >1 means the second is faster):")
    for key, what in (
        ("rez_over_ours_on_sample", "rez / ours  on rez's sample"),
        ("peer_over_ours_all", "peer / ours on all 188"),
        ("rez_over_peer_on_sample", "rez / peer  on rez's sample"),
    ):
        if ratios.get(f"{key}_total") is not None:
            print(
                f"  {what:<30} total {fmt(ratios[f'{key}_total'])}x"
                f"   median {fmt(ratios[f'{key}_median'])}x"
            )
    print()
    print(
        f"load average: start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
        f"end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}; "
        f"{os.cpu_count()} CPUs; script ran {script_s:.0f} s (until this report)"
    )

    if args.json:
        doc = {
            "description": "scripts/bench_solver.py: solve times in seconds (perf_counter "
            "around the solve call), per request the best of `repeat` passes for the "
            "pyrers, one pass for rez; see the script's docstring.",
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": load_end,
            "script_s": script_s,
            "rez_version": rez.__version__,
            "repeat": args.repeat,
            "rez_sample": sample,
            "peer": peer_note,
            "failures": failures,
            "startup": ready,
            "summary": rows,
            "agreement": agreements,
            "ratios": ratios,
            "per_request": [
                {
                    "index": i,
                    "request": requests[i],
                    **{f"{kind}_wall_s": wall[kind].get(i) for kind in SOLVERS if kind in wall},
                    **{f"{kind}_inner_s": inner[kind].get(i) for kind in SOLVERS if kind in inner},
                    **{
                        f"{kind}_status": outcomes[kind][i]["status"]
                        for kind in SOLVERS
                        if kind in outcomes and i in outcomes[kind]
                    },
                    **{
                        f"{kind}_pass_walls_s": [
                            p["wall"][indices_of[kind].index(i)] for p in passes[kind]
                        ]
                        for kind in ("ours", "peer")
                        if kind in wall
                    },
                }
                for i in everything
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"raw figures written to {args.json}")
    if tmp is not None:
        t = time.perf_counter()
        tmp.cleanup()
        log(f"removed the temporary data in {time.perf_counter() - t:.0f} s")
    return 0 if not failures.get("ours") else 1


if __name__ == "__main__":
    sys.exit(main())
