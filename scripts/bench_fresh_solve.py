#!/usr/bin/env python
"""First solves in fresh processes through ``pyrer@``, against the same build's in-memory solves.

Issue 12 ("The Rust solver consumes the memo directly") is about what a
``rez env`` pays for its one solve: a fresh process, a warm memo, families
loaded on demand through the ``pyrer@`` repository's ``load_family``. This
script measures it on rez's benchmark repository (18,226 ``package.py``,
the 188 requests of ``rez/data/benchmarking/requests.json``, indexed 0..187
in that file's order), in one invocation, with a warm private memo
(``pyrer-index`` fills it first, in a temporary directory):

1. **fresh**: every request as the first solve of a new interpreter:
   ``repo = package_repository_manager.get_repository("pyrer@<repo>")`` and
   ``pyrer.solve(request, load_family=repo.load_family)``, timed with
   ``time.perf_counter`` around the ``pyrer.solve`` call; the set-up (the
   imports, then ``get_repository``) is timed apart, and the process's wall
   time as the driver sees it (interpreter start and exit included). The
   worker then solves the same request once more, timed apart (and after its
   peak RSS is read): the same loads from the memo without a cold process's
   first touches of memory, which tells the two apart.
   ``repo.load_family`` is passed as it is: it may be a Python method or a
   native callable object.
2. **in-memory**: one process, started first, loads all packages into one
   ``pyrer.Repository`` (batched ``pyrer.parse_static_packages_py`` over every
   file, names and versions from the directories; rez's own loader for the
   files the parser declines) and stays up; after each block of 20 fresh
   solves it makes ``--repeat`` passes (default 3) over that block's
   requests, so that both see the same machine load; best time per request.
   Ratio fresh / in-memory: total and median (issue 12's target: <= 2x the
   total; it was 7.6x).
3. **request 172**, the first solve of a fresh process, ``--runs`` times
   (default 5), median (target <= 60 ms; it was about 300 ms).
4. **the shim's part of ``rez env`` for request 74**, ``--runs`` fresh
   processes, median: the worker imports ``rezplugins.solver_shim`` (which
   patches ``rez.resolver.Resolver._solve``), wraps the patched ``_solve``
   with a timer and runs ``ResolvedContext(request,
   package_paths=["pyrer@<repo>"])``. Reported: the shim's ``_solve`` from
   entry to return (target <= 25 ms; it was about 70 ms), of which the lazy
   import of ``rezplugins.solver_shim.resolve`` on the first resolve and the
   ``pyrer.solve`` call (its wall and its ``solve_time_ms``), and the whole
   ``ResolvedContext`` construction.
5. ``--peer``: PyPI pyrer 1.0.0rc3 from its own virtualenv (``./.venv-peer``,
   created on first use as ``scripts/bench_solver.py`` does), the same fresh
   solves (alternating with ours, request by request) with its documented
   lazy path: a ``load_family(name, version_range)`` callback over rez's
   ``iter_packages(name, range_=...)``, one batched
   ``parse_static_packages_py`` per family and ``PackageData.from_rez`` for
   the files it declines. Ratio peer / ours.

Every worker reports ``ru_maxrss`` at its end; a mode's peak RSS is the
maximum over its workers. Answers (status and resolved
``(name, version, variant_index)``) of the fresh solves are checked against
the in-memory ones, and against rez's recorded answers when present.

Usage::

    .venv/bin/python scripts/bench_fresh_solve.py [--requests 0-9,74,172]
        [--runs 5] [--repeat 3] [--peer [--peer-python PY]] [--data-dir DIR]
        [--json OUT.json]

The benchmark repository is extracted once into ``./.demo-data`` (or
``--data-dir``), as the other benchmark scripts do. A full run starts about
400 interpreters; read the figures as ratios (the load average is printed).
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEAVY_REQUEST = 172
SHIM_REQUEST = 74
TARGET_RATIO = 2.0
TARGET_HEAVY_MS = 60.0
TARGET_SHIM_MS = 25.0
SHIM_RESOLVE_MODULE = "rezplugins.solver_shim.resolve"
BLOCK = 20  # requests per block: fresh solves, then the in-memory passes over the block

Resolved = list[list[Any]]


# ---------------------------------------------------------------------------
# worker side: one job per process. Only the standard library is imported at
# module level, so that the peer's interpreter can run this file and so that
# the imports a job times are the job's own.
# ---------------------------------------------------------------------------


def max_rss_mib() -> float:
    """Peak resident set size of this process, MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def outcome_of(result: Any) -> dict[str, Any]:
    """Status, resolved list and the solver's own figures of a ``SolveResult``."""
    return {
        "status": str(result.status),
        "resolved": [[p.name, str(p.version), p.variant_index] for p in result.resolved_packages],
        "description": str(getattr(result, "failure_description", None) or ""),
        "solve_time_ms": float(result.solve_time_ms),
        "load_family_calls": int(getattr(result, "load_family_calls", 0) or 0),
    }


def job_ours(repo: str, request: list[str]) -> dict[str, Any]:
    """Fresh process: imports, ``get_repository("pyrer@...")``, one ``pyrer.solve``."""
    t0 = time.perf_counter()
    import pyrer
    from rez.package_repository import package_repository_manager

    t1 = time.perf_counter()
    repository = package_repository_manager.get_repository(f"pyrer@{repo}")
    load_family = repository.load_family  # a method or a native callable: used as is
    before = resource.getrusage(resource.RUSAGE_SELF)
    t2 = time.perf_counter()
    result = pyrer.solve(request, load_family=load_family)
    t3 = time.perf_counter()
    usage = cpu_and_faults(before, resource.getrusage(resource.RUSAGE_SELF))
    counters = getattr(repository, "load_counters", None)
    counters = {str(k): int(v) for k, v in dict(counters or {}).items()}
    rss = max_rss_mib()  # of the first solve only
    # The same request again in this process: the fresh path without the
    # costs of a cold process (first touches of memory, cold caches).
    t4 = time.perf_counter()
    again = pyrer.solve(request, load_family=load_family)
    again_s = time.perf_counter() - t4
    first = outcome_of(result)
    return {
        "imports_s": t1 - t0,
        "repository_s": t2 - t1,
        "solve_s": t3 - t2,
        "again_s": again_s,
        "again_same": same(first, outcome_of(again)),
        **first,
        "counters": counters,
        "rss_mib": rss,
        "rusage": usage,
    }


def cpu_and_faults(before: Any, after: Any) -> dict[str, float]:
    """CPU (all threads) and page faults of a span, from two ``getrusage``
    readings: what the kernel does for a fresh solve (file stamps, first
    touches of memory) shows as system time and minor faults; major faults
    are pages read back from disk (cold files, or pages the OS reclaimed).
    The CPU times advance in scheduler ticks: read them summed over many solves."""
    return {
        "user_s": after.ru_utime - before.ru_utime,
        "sys_s": after.ru_stime - before.ru_stime,
        "minflt": after.ru_minflt - before.ru_minflt,
        "majflt": after.ru_majflt - before.ru_majflt,
    }


def job_peer(repo: str, request: list[str]) -> dict[str, Any]:
    """Fresh process, PyPI pyrer: its lazy ``load_family`` path over rez's listing."""
    t0 = time.perf_counter()
    import pyrer
    from rez.packages import iter_packages

    t1 = time.perf_counter()

    def load_family(name: str, version_range: str | None = None) -> list[Any]:
        pkgs = list(iter_packages(name, range_=version_range, paths=[repo]))
        parsed = pyrer.parse_static_packages_py([p.resource.filepath for p in pkgs]) if pkgs else []
        return [
            data if data is not None else pyrer.PackageData.from_rez(pkg)
            for data, pkg in zip(parsed, pkgs)
        ]

    t2 = time.perf_counter()
    result = pyrer.solve(request, load_family=load_family)
    t3 = time.perf_counter()
    return {
        "imports_s": t1 - t0,
        "repository_s": t2 - t1,
        "solve_s": t3 - t2,
        **outcome_of(result),
        "counters": {},
        "rss_mib": max_rss_mib(),
    }


class _TimedImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Times the execution of one module (its own imports included) when it is first imported."""

    def __init__(self, fullname: str) -> None:
        self.fullname = fullname
        self.seconds: float | None = None
        self._loader: Any = None

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.fullname or self._loader is not None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        self._loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        t = time.perf_counter()
        try:
            self._loader.exec_module(module)
        finally:
            self.seconds = time.perf_counter() - t
            sys.meta_path[:] = [f for f in sys.meta_path if f is not self]


def job_shim(repo: str, request: list[str], discovered: bool = False) -> dict[str, Any]:
    """Fresh process: ``ResolvedContext`` through the shim; the shim's ``_solve`` timed.

    ``discovered``: rez's plugin discovery (its scan of ``sys.path`` for
    ``rezplugins`` folders, once per process) runs first, as in ``rez env``,
    whose command line loads its command plugins before it resolves; else
    the first ``get_repository`` of the shim's ``_solve`` pays it (as stock
    rez's ``_solve`` would)."""
    t0 = time.perf_counter()
    timed_import = _TimedImport(SHIM_RESOLVE_MODULE)
    already_imported = SHIM_RESOLVE_MODULE in sys.modules
    sys.meta_path.insert(0, timed_import)
    import pyrer
    from rez import resolver as rez_resolver
    from rez.resolved_context import ResolvedContext

    import rezplugins.solver_shim as shim

    t1 = time.perf_counter()
    if not shim.is_active():
        raise RuntimeError("the solver shim did not patch rez.resolver.Resolver._solve")
    figures: dict[str, Any] = {"shim_s": 0.0, "shim_calls": 0, "pyrer_solves": []}

    shim_solve = rez_resolver.Resolver._solve

    def timed_solve(self: Any) -> Any:
        t = time.perf_counter()
        try:
            return shim_solve(self)
        finally:
            figures["shim_s"] += time.perf_counter() - t
            figures["shim_calls"] += 1

    timed_solve._pyrer_shim = True  # type: ignore[attr-defined]  # keeps is_active() true
    rez_resolver.Resolver._solve = timed_solve

    # The shim calls `pyrer.solve` through the module attribute: time it there.
    native_solve = pyrer.solve

    def timed_pyrer_solve(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        result = native_solve(*args, **kwargs)
        figures["pyrer_solves"].append(
            {"wall_s": time.perf_counter() - t, **outcome_of(result)}
        )
        return result

    pyrer.solve = timed_pyrer_solve  # type: ignore[assignment]
    discovery_s = None
    if discovered:
        from rez.plugin_managers import plugin_manager

        t = time.perf_counter()
        plugin_manager.rezplugins_module_paths  # noqa: B018  # the cached scan, run now
        discovery_s = time.perf_counter() - t
    t2 = time.perf_counter()
    context = ResolvedContext(request, package_paths=[f"pyrer@{repo}"])
    t3 = time.perf_counter()
    pyrer.solve = native_solve  # type: ignore[assignment]
    solves = figures["pyrer_solves"]
    resolved = [[v.name, str(v.version), v.index] for v in (context.resolved_packages or [])]
    return {
        "imports_s": t1 - t0,
        "discovery_s": discovery_s,
        "context_s": t3 - t2,
        "shim_s": figures["shim_s"],
        "shim_calls": figures["shim_calls"],
        "resolve_import_s": None if already_imported else timed_import.seconds,
        "pyrer_solve_s": solves[0]["wall_s"] if solves else None,
        "solve_time_ms": solves[0]["solve_time_ms"] if solves else None,
        "load_family_calls": solves[0]["load_family_calls"] if solves else None,
        "status": str(context.status.name),
        "resolved": resolved,
        "shim_counters": dict(shim.metrics.snapshot()),
        "rss_mib": max_rss_mib(),
    }


def load_in_memory(repo: str) -> tuple[Any, dict[str, Any]]:
    """Every package of ``repo`` in one ``pyrer.Repository``, and load figures."""
    t0 = time.perf_counter()
    import pyrer
    from rez.packages import get_package

    root = Path(repo)
    entries: list[tuple[str, str, str]] = []
    for family in sorted(os.listdir(root)):
        if not (root / family).is_dir():
            continue
        for version in sorted(os.listdir(root / family)):
            path = root / family / version / "package.py"
            if path.is_file():
                entries.append((family, version, str(path)))
    parsed = pyrer.parse_static_packages_py([p for _, _, p in entries])
    packages: list[Any] = []
    evaluated = 0
    for (family, version, _), data in zip(entries, parsed):
        if data is None:  # dynamic: rez's own loader, as the repository does
            pkg = get_package(family, version, paths=[repo])
            packages.append(pyrer.PackageData.from_rez(pkg))
            evaluated += 1
        else:
            packages.append(
                pyrer.PackageData.from_strings(family, version, data.requires, data.variants)
            )
    repository = pyrer.Repository(packages)
    return repository, {
        "packages": len(packages),
        "evaluated": evaluated,
        "load_s": time.perf_counter() - t0,
        "rss_after_load_mib": max_rss_mib(),
    }


def inmem_main(job_file: str) -> int:
    """The in-memory process: load once, then solve blocks of requests on demand.

    Each stdin line is ``{"requests": [...], "repeat": K}``: K passes over
    those requests, answered with one JSON line; ``quit`` ends it. The
    driver sends each block right after its fresh solves, so that both see
    the same machine load.
    """
    from bench_solver import protocol_sender

    send = protocol_sender()  # rez and pyrer may print: keep them off the protocol

    import pyrer

    job = json.loads(Path(job_file).read_text())
    repository, info = load_in_memory(job["repo"])
    send({"event": "ready", **info})
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        command = json.loads(line)
        passes: list[list[dict[str, Any]]] = []
        for _ in range(command["repeat"]):
            this_pass = []
            for request in command["requests"]:
                t = time.perf_counter()
                result = pyrer.solve(request, repository)
                wall = time.perf_counter() - t
                this_pass.append({"solve_s": wall, **outcome_of(result)})
            passes.append(this_pass)
        send({"event": "passes", "passes": passes})
    send({"event": "done", "rss_mib": max_rss_mib()})
    return 0


def worker_main(kind: str, job_file: str, out_file: str) -> int:
    if kind == "inmem":
        return inmem_main(job_file)
    job = json.loads(Path(job_file).read_text())
    if kind == "ours":
        out = job_ours(job["repo"], job["request"])
    elif kind == "peer":
        out = job_peer(job["repo"], job["request"])
    elif kind == "shim":
        out = job_shim(job["repo"], job["request"])
    elif kind == "shim_discovered":
        out = job_shim(job["repo"], job["request"], discovered=True)
    else:
        raise SystemExit(f"unknown worker kind {kind!r}")
    Path(out_file).write_text(json.dumps(out))
    return 0


# ---------------------------------------------------------------------------
# driver side
# ---------------------------------------------------------------------------


class Runner:
    """Starts one worker process per job; the job and its answer go through files."""

    def __init__(self, scratch: Path, envs: dict[str, dict[str, str]]) -> None:
        self.scratch = scratch
        self.envs = envs
        self.count = 0

    def run(self, kind: str, python: str, job: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        job_file = self.scratch / f"job-{self.count}.json"
        out_file = self.scratch / f"out-{self.count}.json"
        job_file.write_text(json.dumps(job))
        cmd = [python, str(Path(__file__).resolve()), "--worker", kind, str(job_file),
               str(out_file)]
        t = time.perf_counter()
        proc = subprocess.run(
            cmd,
            env=self.envs["peer" if kind == "peer" else "ours"],
            cwd=str(self.scratch),  # not ROOT: nothing of ours may shadow the peer's pyrer
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall = time.perf_counter() - t
        if proc.returncode != 0 or not out_file.exists():
            raise RuntimeError(
                f"{kind} worker failed (exit {proc.returncode}) on {job.get('request')}:\n"
                f"{proc.stderr[-4000:]}"
            )
        out: dict[str, Any] = json.loads(out_file.read_text())
        out["process_s"] = wall
        job_file.unlink()
        out_file.unlink()
        return out


def in_memory_worker(python: str, scratch: Path, env: dict[str, str], repo: str) -> Any:
    """The in-memory process, loaded once and driven block by block over a pipe."""
    from bench_solver import Worker

    class InMemory(Worker):
        def __init__(self) -> None:
            job_file = scratch / "job-inmem.json"
            job_file.write_text(json.dumps({"repo": repo}))
            super().__init__("inmem", python, job_file, Path(__file__), ["-"], env)
            self.ready = self.read("ready")

        def passes(self, requests: list[list[str]], repeat: int) -> list[list[dict[str, Any]]]:
            reply = self.command(json.dumps({"requests": requests, "repeat": repeat}), "passes")
            passes: list[list[dict[str, Any]]] = reply["passes"]
            return passes

        def close(self) -> float | None:  # type: ignore[override]
            """Ends the process; its peak RSS (MiB), if it answered."""
            rss: float | None = None
            if self.proc.poll() is None:
                try:
                    rss = float(self.command("quit", "done")["rss_mib"])
                except (RuntimeError, OSError):
                    self.proc.kill()
            self.proc.wait()
            return rss

    return InMemory()


def parse_indices(spec: str | None, total: int) -> list[int]:
    """``None`` -> all; else comma-separated indices and ``a-b`` ranges (inclusive)."""
    if not spec:
        return list(range(total))
    chosen: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        first, last = int(lo), int(hi) if sep else int(lo)
        if not (0 <= first <= last < total):
            raise ValueError(f"request index out of 0..{total - 1}: {part!r}")
        chosen.update(range(first, last + 1))
    return sorted(chosen)


def stats(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"total": None, "median": None, "max": None}
    return {"total": sum(values), "median": statistics.median(values), "max": max(values)}


def ms(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x * 1000:.{digits}f}"


def sec(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def times_x(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["status"] == b["status"] and [tuple(x) for x in a["resolved"]] == [
        tuple(x) for x in b["resolved"]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", metavar="SPEC",
                        help="request indices, e.g. 0-9,74,172 (default: all 188)")
    parser.add_argument("--runs", type=int, default=5,
                        help="fresh processes for request 172 and for the shim (default 5)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="in-memory passes, best per request (default 3)")
    parser.add_argument("--peer", action="store_true", help="also run PyPI pyrer 1.0.0rc3")
    parser.add_argument("--peer-python", type=Path,
                        help="interpreter with the peer (default ./.venv-peer; implies --peer)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".demo-data",
                        help="where rez's benchmark repository is extracted (default .demo-data)")
    parser.add_argument("--json", type=Path, help="write the raw figures to this file")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "JOB", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(*args.worker)
    if args.runs < 1 or args.repeat < 1:
        parser.error("--runs and --repeat must be at least 1")

    sys.path.insert(0, str(ROOT / "scripts"))
    import rez
    from bench_solver import extract, load_recorded, log, peer_python

    t_script = time.perf_counter()
    load_start = os.getloadavg()
    log(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    requests: list[list[str]] = json.loads(
        (Path(rez.__file__).parent / "data" / "benchmarking" / "requests.json").read_text()
    )
    try:
        indices = parse_indices(args.requests, len(requests))
    except ValueError as exc:
        parser.error(str(exc))
    peer: str | None = None
    peer_note = "not run (use --peer)"
    if args.peer or args.peer_python:
        peer, peer_note = peer_python(
            argparse.Namespace(peer_python=args.peer_python, no_peer=False)
        )
        log(f"peer: {peer_note}")

    t = time.perf_counter()
    repo = str(extract(args.data_dir.resolve()).resolve())
    log(f"benchmark repository {repo} ({time.perf_counter() - t:.1f} s)")

    with tempfile.TemporaryDirectory(prefix="pyrer-bench-fresh-") as tmp:
        scratch = Path(tmp)
        memo = scratch / "memo"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
        configs = {"ours": f"pyrer@{repo}", "peer": repo}
        envs: dict[str, dict[str, str]] = {}
        for kind, path in configs.items():
            config = scratch / f"rezconfig-{kind}.py"
            config.write_text(f"packages_path = [{path!r}]\n")
            envs[kind] = dict(base, REZ_CONFIG_FILE=str(config), PYRER_MEMO_DIR=str(memo))

        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pyrer.index", "-q", repo], env=envs["ours"],
                       check=True, stdout=subprocess.DEVNULL)
        index_s = time.perf_counter() - t
        log(f"pyrer-index filled the private memo {memo} in {index_s:.2f} s")

        runner = Runner(scratch, envs)
        ours_python = sys.executable
        log("in-memory: loading every package into one pyrer.Repository ...")
        inmem = in_memory_worker(ours_python, scratch, envs["ours"], repo)
        log(f"in-memory: {inmem.ready['packages']} packages "
            f"({inmem.ready['evaluated']} through rez's loader) in {inmem.ready['load_s']:.1f} s")
        inmem_passes: dict[int, list[dict[str, Any]]] = {}
        fresh: dict[str, dict[int, dict[str, Any]]] = {"ours": {}, "peer": {}}
        failures: dict[str, str] = {}
        log(f"fresh-process solves: {len(indices)} requests"
            + (", ours and the peer alternating" if peer else "")
            + f"; after each block of {BLOCK}, the block's {args.repeat} in-memory passes")
        t = time.perf_counter()
        try:
            for start in range(0, len(indices), BLOCK):
                block = indices[start : start + BLOCK]
                for n, i in enumerate(block, start):
                    order = ["ours", "peer"] if n % 2 == 0 else ["peer", "ours"]
                    for kind in order:
                        if kind == "peer" and (peer is None or "peer" in failures):
                            continue
                        try:
                            fresh[kind][i] = runner.run(
                                kind, ours_python if kind == "ours" else str(peer),
                                {"repo": repo, "request": requests[i]},
                            )
                        except RuntimeError as exc:
                            if kind == "ours":
                                raise
                            failures["peer"] = str(exc)
                            log(f"peer failed, going on without it: {exc}")
                passes = inmem.passes([requests[i] for i in block], args.repeat)
                for k, i in enumerate(block):
                    inmem_passes[i] = [p[k] for p in passes]
                done = indices[: start + len(block)]
                so_far_fresh = sum(fresh["ours"][j]["solve_s"] for j in done)
                so_far_inmem = sum(min(r["solve_s"] for r in inmem_passes[j]) for j in done)
                log(f"  {len(done)}/{len(indices)} requests, {time.perf_counter() - t:.0f} s; "
                    f"solves so far: fresh {so_far_fresh:.2f} s, in-memory {so_far_inmem:.3f} s")
        finally:
            inmem_rss = inmem.close()

        log(f"request {HEAVY_REQUEST}: {args.runs} fresh processes"
            + (" each, ours and the peer" if peer and "peer" not in failures else ""))
        heavy: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
        for _ in range(args.runs):
            job = {"repo": repo, "request": requests[HEAVY_REQUEST]}
            heavy["ours"].append(runner.run("ours", ours_python, job))
            if peer and "peer" not in failures:
                heavy["peer"].append(runner.run("peer", peer, job))

        log(f"request {SHIM_REQUEST} through the shim: {args.runs} fresh ResolvedContexts")
        shim_runs, shim_cli_runs = [], []
        for _ in range(args.runs):  # alternating: both see the same machine load
            job = {"repo": repo, "request": requests[SHIM_REQUEST]}
            shim_runs.append(runner.run("shim", ours_python, job))
            shim_cli_runs.append(runner.run("shim_discovered", ours_python, job))
        log(f"{runner.count + 1} worker processes")

    # ---- figures -------------------------------------------------------------
    best: dict[int, dict[str, Any]] = {}
    for i in indices:
        best[i] = min(inmem_passes[i], key=lambda r: r["solve_s"])
    recorded = load_recorded(requests)

    def summary(kind: str) -> dict[str, Any] | None:
        rows = fresh[kind]
        if len(rows) != len(indices):
            return None
        solve = [rows[i]["solve_s"] for i in indices]
        return {
            "solve_s": stats(solve),
            "solve_time_ms": stats([rows[i]["solve_time_ms"] / 1000 for i in indices]),
            "imports_s": stats([rows[i]["imports_s"] for i in indices]),
            "repository_s": stats([rows[i]["repository_s"] for i in indices]),
            "again_s": stats([rows[i]["again_s"] for i in indices]) if kind == "ours" else None,
            "process_s": stats([rows[i]["process_s"] for i in indices]),
            "peak_rss_mib": max(rows[i]["rss_mib"] for i in indices),
            "rusage": (
                {k: sum(rows[i]["rusage"][k] for i in indices)
                 for k in ("user_s", "sys_s", "minflt", "majflt")}
                if kind == "ours" else None
            ),
            "disagree_with_inmem": [i for i in indices if not same(rows[i], best[i])],
            "again_differs": [i for i in indices if not rows[i].get("again_same", True)],
            "disagree_with_recorded": (
                [i for i in indices if not same(rows[i], recorded[i])]
                if recorded is not None else None
            ),
        }

    ours = summary("ours")
    assert ours is not None
    theirs = summary("peer")
    in_solve = stats([best[i]["solve_s"] for i in indices])
    in_inner = stats([best[i]["solve_time_ms"] / 1000 for i in indices])
    ratios = {
        "fresh_over_inmem_total": div(ours["solve_s"]["total"], in_solve["total"]),
        "fresh_over_inmem_median": div(ours["solve_s"]["median"], in_solve["median"]),
        "again_over_inmem_total": div(ours["again_s"]["total"], in_solve["total"]),
        "peer_over_ours_fresh_total": (
            div(theirs["solve_s"]["total"], ours["solve_s"]["total"]) if theirs else None
        ),
        "peer_over_ours_fresh_median": (
            div(theirs["solve_s"]["median"], ours["solve_s"]["median"]) if theirs else None
        ),
    }
    heavy_ours = statistics.median(r["solve_s"] for r in heavy["ours"])
    heavy_peer = statistics.median(r["solve_s"] for r in heavy["peer"]) if heavy["peer"] else None
    heavy_inmem = best[HEAVY_REQUEST]["solve_s"] if HEAVY_REQUEST in best else None

    def shim_median(key: str, runs: list[dict[str, Any]] | None = None) -> float | None:
        values = [r[key] for r in (shim_runs if runs is None else runs) if r.get(key) is not None]
        return statistics.median(values) if values else None

    shim = {key: shim_median(key) for key in (
        "shim_s", "resolve_import_s", "pyrer_solve_s", "context_s", "imports_s", "process_s"
    )}
    shim_solve_ms = shim_median("solve_time_ms")
    shim_hits = sum(r["shim_counters"].get("hit", 0) for r in shim_runs)
    load_end = os.getloadavg()
    script_s = time.perf_counter() - t_script

    # ---- table -----------------------------------------------------------------
    n = len(indices)
    warm = [fresh["ours"][i]["counters"] for i in indices]
    files_read = sum(c.get("files_read", 0) for c in warm)
    hits = sum(c.get("memo_hits", 0) for c in warm)
    print()
    print(f"rez's benchmark repository, {n} of {len(requests)} requests; warm private memo "
          f"(pyrer-index: {index_s:.2f} s); one fresh process per fresh solve")
    header = f"{'':<44}{'total s':>9}{'median ms':>11}{'max ms':>9}{'peak RSS':>10}"
    print(header)
    print("-" * len(header))

    def line(label: str, s: dict[str, float | None], rss: float | None = None) -> None:
        print(f"{label:<44}{sec(s['total'], 3):>9}{ms(s['median'], 2):>11}"
              f"{ms(s['max'], 1):>9}{'' if rss is None else f'{rss:.0f} MiB':>10}")

    line("1. fresh, pyrer.solve via pyrer@ (wall)", ours["solve_s"], ours["peak_rss_mib"])
    line("   of which the solver (solve_time_ms)", ours["solve_time_ms"])
    line("   the same solve again in that process", ours["again_s"])
    line("   set-up: imports (pyrer, rez repo mgr)", ours["imports_s"])
    line("   set-up: get_repository('pyrer@...')", ours["repository_s"])
    line("   whole process, as the driver sees it", ours["process_s"])
    line(f"2. in-memory Repository (best of {args.repeat})", in_solve, inmem_rss)
    line("   of which the solver (solve_time_ms)", in_inner)
    if theirs:
        line("5. peer 1.0.0rc3, fresh, load_family (wall)", theirs["solve_s"],
             theirs["peak_rss_mib"])
        line("   of which the solver (solve_time_ms)", theirs["solve_time_ms"])
        line("   set-up: imports (pyrer, rez.packages)", theirs["imports_s"])
        line("   whole process, as the driver sees it", theirs["process_s"])
    print(f"in-memory: {inmem.ready['packages']} packages loaded in {inmem.ready['load_s']:.1f} s "
          f"(RSS after load {inmem.ready['rss_after_load_mib']:.0f} MiB)")
    if any(warm):
        print(f"fresh solves opened {files_read} package.py, {hits} memo hits")
    else:
        print("fresh solves: the repository reports no load counters")
    print()
    print(f"fresh / in-memory: total {times_x(ratios['fresh_over_inmem_total'])}, "
          f"median {times_x(ratios['fresh_over_inmem_median'])}   "
          f"(issue 12 target: <= {TARGET_RATIO:g}x; was 7.6x)")
    print(f"the same solve again in each fresh process / in-memory: total "
          f"{times_x(ratios['again_over_inmem_total'])} (loads from the memo without the cold "
          f"process's first touches)")
    use = ours["rusage"]
    print(f"the fresh solves' CPU, both threads: user {use['user_s']:.2f} s, system "
          f"{use['sys_s']:.2f} s; page faults: {use['minflt']:,} minor, {use['majflt']:,} major"
          + (" (read from disk: the figures above include disk waits)" if use["majflt"] else ""))
    if theirs:
        print(f"peer / ours, fresh: total {times_x(ratios['peer_over_ours_fresh_total'])}, "
              f"median {times_x(ratios['peer_over_ours_fresh_median'])}")
    print(f"3. request {HEAVY_REQUEST}, first solve of a fresh process, median of {args.runs}: "
          f"{ms(heavy_ours)} ms   (target <= {TARGET_HEAVY_MS:g} ms; was ~300 ms)"
          + (f"; in-memory {ms(heavy_inmem, 2)} ms" if heavy_inmem is not None else "")
          + (f"; peer {ms(heavy_peer)} ms" if heavy_peer is not None else ""))
    print(f"4. request {SHIM_REQUEST}, rez ResolvedContext through the shim, median of "
          f"{args.runs} fresh processes:")
    solver_ms = None if shim_solve_ms is None else shim_solve_ms / 1000
    for label, value, note in (
        ("shim's Resolver._solve, entry to return", shim["shim_s"],
         f"   (target <= {TARGET_SHIM_MS:g} ms; was ~70 ms)"),
        ("  of which importing the shim's resolve module", shim["resolve_import_s"], ""),
        ("  of which pyrer.solve (wall)", shim["pyrer_solve_s"], ""),
        ("  of which the solver (solve_time_ms)", solver_ms, ""),
        ("whole ResolvedContext(...)", shim["context_s"], ""),
        ("set-up: imports (shim, rez.resolved_context)", shim["imports_s"], ""),
        ("whole process, as the driver sees it", shim["process_s"], ""),
    ):
        print(f"   {label:<48}{ms(value):>8} ms{note}")
    print(f"   served by pyrer: {shim_hits}/{len(shim_runs)}; status "
          f"{sorted({r['status'] for r in shim_runs})}")
    cli_hits = sum(r["shim_counters"].get("hit", 0) for r in shim_cli_runs)
    print(f"   the same, rez's plugin discovery run first (as rez env's command line does, "
          f"{ms(shim_median('discovery_s', shim_cli_runs))} ms):")
    label = "shim's Resolver._solve, entry to return"
    print(f"   {label:<48}"
          f"{ms(shim_median('shim_s', shim_cli_runs)):>8} ms   (served by pyrer: "
          f"{cli_hits}/{len(shim_cli_runs)})")
    print(f"   {'  of which pyrer.solve (wall)':<48}"
          f"{ms(shim_median('pyrer_solve_s', shim_cli_runs)):>8} ms")
    print()
    bad = ours["disagree_with_inmem"]
    print(f"agreement: fresh vs in-memory {n - len(bad)}/{n}"
          + (f" (differ: {bad})" if bad else ""))
    bad = ours["again_differs"]
    print(f"           second solve vs first, each fresh process {n - len(bad)}/{n}"
          + (f" (differ: {bad})" if bad else ""))
    if ours["disagree_with_recorded"] is not None:
        bad = ours["disagree_with_recorded"]
        print(f"           fresh vs rez's recorded answers {n - len(bad)}/{n}"
              + (f" (differ: {bad})" if bad else ""))
    if theirs:
        bad = [i for i in indices if not same(fresh["peer"][i], fresh["ours"][i])]
        print(f"           peer vs ours {n - len(bad)}/{n}" + (f" (differ: {bad})" if bad else ""))
    for kind, why in failures.items():
        print(f"{kind} not run: {why.splitlines()[0]}")
    print(f"load average: start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
          f"end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}; {os.cpu_count()} CPUs; "
          f"script ran {script_s:.0f} s")

    if args.json:
        doc = {
            "description": "scripts/bench_fresh_solve.py: seconds (perf_counter); see the "
            "script's docstring",
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": load_end,
            "script_s": script_s,
            "index_s": index_s,
            "peer": peer_note,
            "failures": failures,
            "indices": indices,
            "summary": {"fresh_ours": ours, "fresh_peer": theirs,
                        "inmem_solve_s": in_solve, "inmem_solve_time_ms": in_inner,
                        "inmem_load": inmem.ready, "inmem_rss_mib": inmem_rss},
            "ratios": ratios,
            "heavy_request": {"index": HEAVY_REQUEST, "ours": heavy["ours"],
                              "peer": heavy["peer"], "median_ours_s": heavy_ours,
                              "median_peer_s": heavy_peer},
            "shim_request": {"index": SHIM_REQUEST, "runs": shim_runs, "medians_s": shim,
                             "runs_after_discovery": shim_cli_runs,
                             "median_solve_time_ms": shim_solve_ms},
            "per_request": [
                {"index": i, "request": requests[i], "fresh_ours": fresh["ours"][i],
                 "fresh_peer": fresh["peer"].get(i),
                 "inmem_passes_s": [r["solve_s"] for r in inmem_passes[i]],
                 "inmem_best": best[i]}
                for i in indices
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"raw figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
