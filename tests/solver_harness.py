"""Shared helpers for the differential solver tests: rez 3.4 is the oracle.

Everything here speaks one normalised shape, `Outcome`, so that an answer from
rez's own solver (``rez.solver.Solver``) and an answer from ``pyrer.solve`` can
be compared field by field:

- ``status``: ``"solved"``, ``"failed"`` or ``"error"``.  For rez, ``error``
  means that building or running the ``Solver`` raised one of rez's errors
  (``PackageNotFoundError``, ``PackageFamilyNotFoundError``, ``ResolveError``
  for an internal requirements conflict, ``PackageMetadataError`` for package
  data rez's schema rejects, a ``VersionError`` for a bad requirement string,
  ...); ``failed`` means the solver finished with ``SolverStatus.failed`` (a
  conflict, a total reduction, or a cycle).  Any other exception is a rez bug;
  it is an ``error`` too, with a description starting with `REZ_CRASH`.
- ``resolved``: ``(name, version, variant_index)`` in rez's order; the index is
  ``None`` for a package that has no variants.
- ``ephemerals``: the resolved ephemerals as strings, in rez's order.
- ``description``: the failure description or the error message (reported in
  failure messages, never compared: wording may differ).

rez is run the way ``ResolvedContext`` (and so ``rez-benchmark``) runs it: a
``Solver`` with the package paths, the config's (empty) package filter and
package orderers, ``building=False`` and ``prune_unfailed`` from the config,
with the solver-relevant settings pinned (see `rez_settings`), so that a user
config on the machine cannot change the oracle.

This module can also run as a worker process (``python solver_harness.py
--worker JOBS.json``): it then runs rez on every job in the file and prints one
JSON line per job.  The tests use it to solve every case a second time in
another interpreter with another ``PYTHONHASHSEED``, which is how they check
that rez is deterministic on the inputs they feed it.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Optional

ResolvedEntry = tuple[str, str, Optional[int]]
RepoData = dict[str, dict[str, dict[str, Any]]]
"""An in-memory repository: ``{family: {version_or_NO_VERSION: package_dict}}``.

The layout is the one of rez's ``memory`` repository plugin; an unversioned
package is stored under the key ``NO_VERSION``.
"""

NO_VERSION = "_NO_VERSION"
STATUSES = ("solved", "failed", "error")
VARIANT_SELECT_MODES = ("version_priority", "intersection_priority")

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
BENCHMARK_RESULTS = DATA_DIR / "rez_benchmark_results.json"


# ---------------------------------------------------------------------------
# the normalised answer
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One solver's answer to one request, normalised for comparison."""

    status: str
    resolved: tuple[ResolvedEntry, ...] = ()
    ephemerals: tuple[str, ...] = ()
    description: str = field(default="", compare=False)

    def key(self) -> tuple[str, tuple[ResolvedEntry, ...], tuple[str, ...]]:
        """What two solvers must agree on."""
        return (self.status, self.resolved, self.ephemerals)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "resolved": [list(x) for x in self.resolved],
            "ephemerals": list(self.ephemerals),
            "failure_description": self.description,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Outcome:
        return cls(
            status=obj["status"],
            resolved=tuple((str(n), str(v), i) for n, v, i in obj["resolved"]),
            ephemerals=tuple(obj["ephemerals"]),
            description=obj.get("failure_description") or "",
        )

    def short(self) -> str:
        """A one-line rendering in rez's own style (``foo-1.0[0]``)."""
        if self.status != "solved":
            return f"{self.status}: {self.description}"
        parts = [
            f"{n}-{v}[{'' if i is None else i}]" if v else f"{n}[{'' if i is None else i}]"
            for n, v, i in self.resolved
        ]
        return "solved: " + " ".join(parts + list(self.ephemerals))


def diff_outcomes(expected: Outcome, actual: Outcome) -> list[str]:
    """Human-readable differences between two outcomes; empty when they agree.

    ``expected`` is rez's answer.  For a solve that did not succeed only the
    status is compared (both lists are empty then).
    """
    problems: list[str] = []
    if expected.status != actual.status:
        problems.append(f"status: rez={expected.status!r} pyrer={actual.status!r}")
    if expected.resolved != actual.resolved and expected.status == actual.status:
        problems.append(
            "resolved (name, version, variant_index), in order:\n"
            f"    rez:   {list(expected.resolved)}\n"
            f"    pyrer: {list(actual.resolved)}"
        )
        exp_set, act_set = set(expected.resolved), set(actual.resolved)
        if exp_set == act_set:
            problems.append("    (same packages, different order)")
        else:
            problems.append(
                f"    only in rez:   {sorted(exp_set - act_set, key=repr)}\n"
                f"    only in pyrer: {sorted(act_set - exp_set, key=repr)}"
            )
    elif expected.resolved != actual.resolved:
        solved = expected if expected.status == "solved" else actual
        who = "rez" if solved is expected else "pyrer"
        problems.append(f"{who} resolved: {solved.short()}")
    if expected.ephemerals != actual.ephemerals and expected.status == actual.status:
        problems.append(
            f"ephemerals: rez={list(expected.ephemerals)} pyrer={list(actual.ephemerals)}"
        )
    if problems:
        problems.append(f"rez says:   {expected.description or '-'}")
        problems.append(f"pyrer says: {actual.description or '-'}")
    return problems


# ---------------------------------------------------------------------------
# rez, the oracle
# ---------------------------------------------------------------------------


@contextmanager
def rez_settings(
    variant_select_mode: str = "version_priority",
    error_on_missing_variant_requires: bool = True,
) -> Iterator[None]:
    """Pin the rez settings that change what the solver picks.

    ``variant_select_mode`` is read by rez's solver from the global config (it
    is not a ``Solver`` argument), hence the override.
    """
    from rez.config import config

    settings: dict[str, Any] = {
        "variant_select_mode": variant_select_mode,
        "error_on_missing_variant_requires": error_on_missing_variant_requires,
        "package_filter": None,
        "package_orderers": None,
        "prune_failed_graph": True,
        "allow_unversioned_packages": True,
    }
    for key, value in settings.items():
        config.override(key, value)
    try:
        yield
    finally:
        for key in settings:
            config.remove_override(key)


REZ_CRASH = "rez crashed (not one of rez's errors, a rez bug): "
"""Prefix of the description when rez raised something that is not one of its
errors (a ``TypeError``...).  Such a case still counts as ``error``: pyrer,
like rez, must not return an answer there (a shim falling back to rez would
crash the same way)."""


def is_rez_error(exc: BaseException) -> bool:
    """True for the exceptions rez raises on purpose."""
    from rez.exceptions import RezError
    from rez.version import ParseException, VersionError

    return isinstance(exc, (RezError, VersionError, ParseException))


@dataclass(frozen=True)
class RezRun:
    """rez's answer plus its timings (seconds)."""

    outcome: Outcome
    solve_time: float | None
    """``Solver.solve_time`` (what rez reports); None when it raised."""
    wall_time: float
    """Building the ``Solver`` plus solving, as the caller sees it."""
    error_type: str | None = None


def run_rez(
    requests: Sequence[str],
    package_paths: Sequence[str],
    *,
    variant_select_mode: str = "version_priority",
    error_on_missing_variant_requires: bool = True,
    package_filter: Any = None,
    package_orderers: Any = None,
) -> RezRun:
    """Solve ``requests`` with rez's own solver, as ``ResolvedContext`` would.

    The request strings are parsed as ``rez.version.Requirement``, as rez's own
    solver tests do.  ``ResolvedContext`` parses them as ``PackageRequest``,
    which gives the same requirement for every request it accepts, but it also
    rejects a conflict or weak *ephemeral* request (``!.foo``, ``~.foo-1``: the
    name check sees ``.foo``) before any solving, while ``Solver`` accepts and
    solves those (rez's test_solver.py has ``!.bah``).  pyrer.solve is the
    ``Solver``'s counterpart, so the ``Solver``'s reading is the oracle.
    """
    from rez.config import config
    from rez.package_filter import PackageFilterList
    from rez.package_order import PackageOrderList
    from rez.solver import Solver, SolverStatus
    from rez.version import Requirement

    with rez_settings(variant_select_mode, error_on_missing_variant_requires):
        t0 = time.perf_counter()
        try:
            solver = Solver(
                package_requests=[Requirement(r) for r in requests],
                package_paths=list(package_paths),
                context=None,
                package_filter=(
                    PackageFilterList.singleton if package_filter is None else package_filter
                ),
                package_orderers=(
                    PackageOrderList(PackageOrderList.singleton)
                    if package_orderers is None
                    else package_orderers
                ),
                building=False,
                prune_unfailed=config.prune_failed_graph,
            )
            solver.solve()
        except Exception as exc:
            wall = time.perf_counter() - t0
            message = f"{type(exc).__name__}: {exc}"
            if not is_rez_error(exc):
                message = REZ_CRASH + message
            return RezRun(Outcome("error", description=message), None, wall, type(exc).__name__)
        wall = time.perf_counter() - t0

        status = solver.status
        if status == SolverStatus.solved:
            outcome = Outcome(
                "solved",
                tuple((v.name, str(v.version), v.index) for v in solver.resolved_packages),
                tuple(str(e) for e in solver.resolved_ephemerals),
            )
        elif status == SolverStatus.failed:
            outcome = Outcome("failed", description=solver.failure_description())
        else:  # aborted/unsolved: cannot happen without a callback; make it loud
            outcome = Outcome(f"rez-{status.name}", description=str(solver.abort_reason))
        return RezRun(outcome, solver.solve_time, wall)


# ---------------------------------------------------------------------------
# pyrer
# ---------------------------------------------------------------------------


def pyrer_outcome(result: Any) -> Outcome:
    """Normalise a ``pyrer.SolveResult``.

    Also checks that ``resolved`` and ``resolved_packages`` tell the same story,
    so a disagreement between the two views cannot hide.
    """
    status = str(result.status)
    description = result.failure_description or ""
    if status != "solved":
        return Outcome(status, description=description)
    resolved = tuple((str(n), str(v), i) for n, v, i in result.resolved)
    rich = tuple((str(p.name), str(p.version), p.variant_index) for p in result.resolved_packages)
    if rich != resolved:
        return Outcome(
            "pyrer-inconsistent",
            resolved,
            description=f"resolved={list(resolved)} but resolved_packages={list(rich)}",
        )
    return Outcome(status, resolved, tuple(str(e) for e in result.resolved_ephemerals))


def package_data_from_dict(pyrer: Any, pkg: Mapping[str, Any]) -> Any:
    """A ``pyrer.PackageData`` from a package dict (memory-repo layout)."""
    return pyrer.PackageData(
        pkg["name"],
        str(pkg.get("version", "")),
        pkg.get("requires"),
        pkg.get("variants"),
        timestamp=pkg.get("timestamp") or 0,
    )


def package_data_from_rez(pyrer: Any, pkg: Any) -> Any:
    """A ``pyrer.PackageData`` from a ``rez.packages.Package``.

    Static data (lists of strings) goes through ``from_strings`` on the raw
    ``package.py`` data (``pkg.data``: in rez 3.4 the resource has no public
    ``data`` attribute); anything else (``@early``/``@late`` code) goes through
    ``from_rez``, which lets rez evaluate it.
    """
    data = pkg.data or {}
    requires = data.get("requires")
    variants = data.get("variants")

    def _strings(x: Any) -> bool:
        return x is None or (isinstance(x, list) and all(isinstance(s, str) for s in x))

    if _strings(requires) and (
        variants is None or (isinstance(variants, list) and all(_strings(v) for v in variants))
    ):
        return pyrer.PackageData.from_strings(
            pkg.name, str(data.get("version", "")), requires, variants
        )
    return pyrer.PackageData.from_rez(pkg)


def load_pyrer_packages(pyrer: Any, package_paths: Sequence[str]) -> list[Any]:
    """Every package on ``package_paths`` as a list of ``pyrer.PackageData``."""
    from rez.packages import iter_package_families

    out = []
    for family in iter_package_families(paths=list(package_paths)):
        for pkg in family.iter_packages():
            out.append(package_data_from_rez(pyrer, pkg))
    return out


def run_pyrer(
    pyrer: Any,
    requests: Sequence[str],
    packages: list[Any] | None = None,
    *,
    variant_select_mode: str = "version_priority",
    load_family: Any = None,
    package_filter: Any = None,
    package_orderers: Any = None,
) -> Outcome:
    kwargs: dict[str, Any] = {"variant_select_mode": variant_select_mode}
    if load_family is not None:
        kwargs["load_family"] = load_family
    if package_filter is not None:
        kwargs["package_filter"] = package_filter
    if package_orderers is not None:
        kwargs["package_orderers"] = package_orderers
    result = pyrer.solve(list(requests), packages, **kwargs)
    return pyrer_outcome(result)


def has_solve() -> bool:
    """True when the installed pyrer has its solver (see the tests' skip guard)."""
    try:
        import pyrer
    except ImportError:
        return False
    return hasattr(pyrer, "solve")


# ---------------------------------------------------------------------------
# repositories
# ---------------------------------------------------------------------------

_memory_counter = itertools.count()


def memory_repo_path(data: RepoData, tag: str = "") -> str:
    """Register ``data`` as a fresh rez ``memory`` repository; return its path.

    Each call gets a new location, so rez's resource caches never mix cases.
    """
    from rez.package_repository import package_repository_manager

    path = f"memory@pyrer_{os.getpid()}_{next(_memory_counter)}{tag}"
    repo = package_repository_manager.get_repository(path)
    repo.data = data  # type: ignore[attr-defined]
    return path


def forget_repo(path: str) -> None:
    """Drop a repository from rez's repository cache (its resources stay pooled)."""
    from rez.package_repository import package_repository_manager

    package_repository_manager.repositories.pop(path, None)


def iter_repo_packages(data: RepoData) -> Iterator[dict[str, Any]]:
    for family in data.values():
        yield from family.values()


def package_py_text(pkg: Mapping[str, Any]) -> str:
    lines = [f"name = {pkg['name']!r}"]
    if pkg.get("version"):
        lines.append(f"version = {pkg['version']!r}")
    if pkg.get("requires") is not None:
        lines.append(f"requires = {list(pkg['requires'])!r}")
    if pkg.get("variants") is not None:
        lines.append(f"variants = {[list(v) for v in pkg['variants']]!r}")
    return "\n".join(lines) + "\n"


def write_filesystem_repo(data: RepoData, root: Path) -> Path:
    """Write ``data`` as ``package.py`` files under ``root``, rez's filesystem layout."""
    root.mkdir(parents=True, exist_ok=True)
    for family, versions in data.items():
        for key, pkg in versions.items():
            folder = root / family if key == NO_VERSION else root / family / key
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "package.py").write_text(package_py_text(pkg))
    return root


def rez_module_root() -> Path:
    import rez

    return Path(rez.__file__).resolve().parent


def benchmark_paths() -> tuple[Path, Path]:
    """rez's benchmark data: (packages.tar.gz, requests.json)."""
    bench = rez_module_root() / "data" / "benchmarking"
    return bench / "packages.tar.gz", bench / "requests.json"


def load_benchmark_requests() -> list[list[str]]:
    _, requests_json = benchmark_paths()
    with open(requests_json) as f:
        requests: list[list[str]] = json.load(f)
    return requests


def extract_benchmark_repo(dest: Path) -> Path:
    """Extract rez's benchmark repository (18,226 package.py) into ``dest``.

    Returns the package path (``dest/packages``).
    """
    tarball, _ = benchmark_paths()
    dest.mkdir(parents=True, exist_ok=True)
    tar_exe = shutil.which("tar")
    if tar_exe:  # as rez-benchmark does; Python's tarfile is ~20x slower here
        subprocess.run([tar_exe, "-xzf", str(tarball)], cwd=dest, check=True)
        return dest / "packages"
    with tarfile.open(tarball) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(dest, filter="data")
        else:
            tar.extractall(dest)  # noqa: S202 - rez's own tarball
    return dest / "packages"


def copy_rez_test_solver_repo(dest: Path) -> Path:
    """A private copy of rez's solver test packages (rez/data/tests/solver/packages)."""
    src = rez_module_root() / "data" / "tests" / "solver" / "packages"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def load_benchmark_results(path: Path = BENCHMARK_RESULTS) -> dict[str, Any]:
    with open(path) as f:
        results: dict[str, Any] = json.load(f)
    return results


# ---------------------------------------------------------------------------
# a second rez in another interpreter (determinism check)
# ---------------------------------------------------------------------------

Job = dict[str, Any]
"""A rez job for the worker: ``{"id", "request", "variant_select_mode",
"error_on_missing_variant_requires", and "repo" (a RepoData) or "paths"}``."""


def run_job(job: Mapping[str, Any]) -> RezRun:
    """Run one rez job (see `Job`) in this process."""
    repo_path: str | None = None
    if "repo" in job:
        repo_path = memory_repo_path(job["repo"])
        paths = [repo_path]
    else:
        paths = list(job["paths"])
    try:
        return run_rez(
            job["request"],
            paths,
            variant_select_mode=job.get("variant_select_mode", "version_priority"),
            error_on_missing_variant_requires=job.get("error_on_missing_variant_requires", True),
        )
    finally:
        if repo_path is not None:
            forget_repo(repo_path)


class RezWorker:
    """rez running the same jobs in a separate interpreter, streaming answers.

    The worker gets a different ``PYTHONHASHSEED`` from this process, so set and
    dict iteration orders differ between the two rez runs: if rez's answer
    depended on them, the two runs would disagree.  Answers are read lazily, so
    the worker runs in parallel with the tests.
    """

    def __init__(self, jobs: Sequence[Job], workdir: Path, hash_seed: int = 4242) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self._jobs_file = workdir / "rez_jobs.json"
        self._jobs_file.write_text(json.dumps(list(jobs)))
        env = dict(os.environ)
        env["PYTHONHASHSEED"] = str(hash_seed)
        self.hash_seed = hash_seed
        self._stderr_path = workdir / "rez_worker.stderr"
        self._stderr = open(self._stderr_path, "w")  # closed in close()
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(self._jobs_file)],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            text=True,
        )
        self._results: dict[str, Outcome] = {}

    def get(self, job_id: str) -> Outcome:
        """The worker's answer to ``job_id`` (blocks until it has it)."""
        stdout = self._proc.stdout
        assert stdout is not None
        while job_id not in self._results:
            line = stdout.readline()
            if not line:
                self._stderr.flush()
                tail = self._stderr_path.read_text()[-3000:]
                raise RuntimeError(
                    f"rez worker ended (rc={self._proc.wait()}) before answering "
                    f"{job_id!r}; its stderr ends with:\n{tail}"
                )
            obj = json.loads(line)
            self._results[obj["id"]] = Outcome.from_json(obj["outcome"])
        return self._results[job_id]

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()


def _worker_main(jobs_file: str, out: IO[str]) -> int:
    with open(jobs_file) as f:
        jobs = json.load(f)
    for job in jobs:
        run = run_job(job)
        out.write(json.dumps({"id": job["id"], "outcome": run.outcome.to_json()}) + "\n")
        out.flush()
    return 0


def dump_case(
    request: Sequence[str],
    repo: RepoData | None = None,
    variant_select_mode: str = "version_priority",
) -> str:
    """A self-contained Python repro: the repository, the request, both solvers."""
    lines = [
        "import pyrer",
        "from rez.package_repository import package_repository_manager",
        "from rez.solver import Solver",
        "from rez.version import Requirement",
        "from rez.config import config",
        f"repo = {json.dumps(repo, indent=1)}",
        f"request = {list(request)!r}",
        f"config.override('variant_select_mode', {variant_select_mode!r})",
        "package_repository_manager.get_repository('memory@repro').data = repo",
        "s = Solver([Requirement(r) for r in request], ['memory@repro'])",
        "s.solve(); print('rez:', s.status, s.resolved_packages, s.resolved_ephemerals)",
        "pkgs = [pyrer.PackageData.from_strings(p['name'], p.get('version', ''),",
        "        p.get('requires'), p.get('variants')) for f in repo.values() for p in f.values()]",
        f"r = pyrer.solve(request, pkgs, variant_select_mode={variant_select_mode!r})",
        "print('pyrer:', r.status, r.resolved, r.resolved_ephemerals, r.failure_description)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        sys.exit(_worker_main(sys.argv[2], sys.stdout))
    print(f"usage: {sys.argv[0]} --worker JOBS.json", file=sys.stderr)
    sys.exit(2)


def case_count(env_var: str, ci: int, local: int) -> int:
    """How many random cases to run: `env_var` when set, else `ci` under
    CI=true, else `local`."""
    env = os.environ.get(env_var)
    if env:
        return int(env)
    return ci if os.environ.get("CI") == "true" else local
