"""Ctrl-C, SIGTERM and other requests to stop are never swallowed by a solve.

rez's command line turns SIGINT and SIGTERM into ``SystemExit(1)`` raised from
its signal handlers; a ``load_family`` callback may also see
``KeyboardInterrupt``. Both must leave ``pyrer.solve`` as they came, whether
they arise inside a callback or while the Rust solver runs without the GIL, and
a ``rez env`` with the shim must stop exactly as stock rez stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pyrer
import pytest


def chain(n: int) -> pyrer.Repository:
    """p0 -> p1 -> ... -> p{n-1}, one version each."""
    packages = [pyrer.PackageData(f"p{i}", "1", [f"p{i + 1}"]) for i in range(n - 1)]
    packages.append(pyrer.PackageData(f"p{n - 1}", "1"))
    return pyrer.Repository(packages)


class Stop(BaseException):
    """A request to stop that is not an `Exception` (as SystemExit is)."""


@pytest.mark.parametrize("raised", [KeyboardInterrupt, SystemExit, GeneratorExit, Stop])
def test_base_exception_in_callback_propagates(raised: type[BaseException]) -> None:
    calls = []

    def load_family(name: str, version_range: str | None = None) -> list[pyrer.PackageData]:
        calls.append(name)
        if name == "b":
            raise raised()
        return [pyrer.PackageData(name, "1", ["b"])]

    with pytest.raises(raised):
        pyrer.solve(["a"], load_family=load_family)
    assert calls == ["a", "b"]


def test_ordinary_exception_in_callback_is_a_status() -> None:
    def load_family(name: str) -> list[pyrer.PackageData]:
        raise RuntimeError("repository offline")

    result = pyrer.solve(["a"], load_family=load_family)
    assert result.status == "error"
    assert "RuntimeError: repository offline" in (result.failure_description or "")


def timed_solve(repo: pyrer.Repository) -> float:
    t0 = time.perf_counter()
    result = pyrer.solve(["p0"], repo)
    assert result.status == "solved"
    return time.perf_counter() - t0


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_signal_stops_a_solve_that_never_returns_to_python() -> None:
    # A chain long enough that the uninterrupted solve takes a second or more.
    n = 20_000
    repo = chain(n)
    full = timed_solve(repo)
    while full < 1.0 and n < 1_280_000:
        n *= 2
        repo = chain(n)
        full = timed_solve(repo)

    def interrupt_soon() -> None:
        time.sleep(min(0.1, full / 10))
        os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=interrupt_soon)
    t0 = time.perf_counter()
    sender.start()
    with pytest.raises(KeyboardInterrupt):
        pyrer.solve(["p0"], repo)
    stopped_after = time.perf_counter() - t0
    sender.join()
    # Stopped mid-solve, not after it (the same solve took `full` seconds).
    assert stopped_after < full / 2, (stopped_after, full)


# ---------------------------------------------------------------------------
# `rez env` with the shim stops as stock rez does
# ---------------------------------------------------------------------------

SLOW_EARLY = """
name = {name!r}
version = '1.0'

@early()
def requires():
    import time
    time.sleep(0.4)
    return {requires!r}
"""


def slow_repository(root: Path) -> Path:
    """Families whose @early requires take a while for rez to evaluate."""
    names = [f"slow{i}" for i in range(12)]
    for i, name in enumerate(names):
        d = root / name / "1.0"
        d.mkdir(parents=True)
        requires = names[i + 1 : i + 2]
        (d / "package.py").write_text(SLOW_EARLY.format(name=name, requires=requires))
    return root


def rez_env_interrupted(
    tmp: Path, repo: Path, shim: bool, signum: int, delay: float
) -> tuple[int, str, bool]:
    """`rez env slow0 -- touch marker`, sent `signum` after `delay` seconds.

    Returns the exit status, the last line of stderr and whether the command ran.
    """
    rezconfig = tmp / "rezconfig.py"
    rezconfig.write_text(
        textwrap.dedent(
            f"""\
            import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve
            packages_path = [{f'pyrer@{repo}'!r}]
            """
        )
    )
    marker = tmp / f"ran-{shim}-{signum}"
    memo = tmp / f"memo-{shim}-{signum}"  # cold: every @early is evaluated
    env = dict(
        os.environ,
        REZ_CONFIG_FILE=str(rezconfig),
        PYRER_MEMO_DIR=str(memo),
        PYRER_SHIM="1" if shim else "0",
    )
    rez = Path(sys.executable).parent / "rez"
    # rez's handlers signal their whole process group: give rez its own.
    proc = subprocess.Popen(
        [str(rez), "env", "slow0", "--", "touch", str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(delay)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    return proc.returncode, lines[-1] if lines else "", marker.exists()


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_rez_env_stops_like_stock_rez(tmp_path: Path, signum: int) -> None:
    repo = slow_repository(tmp_path / "repo")
    # The resolve evaluates 12 files at 0.4 s each: still loading at 2 s.
    stock = rez_env_interrupted(tmp_path, repo, shim=False, signum=signum, delay=2.0)
    ours = rez_env_interrupted(tmp_path, repo, shim=True, signum=signum, delay=2.0)
    message = "Interrupted by user" if signum == signal.SIGINT else "Terminated by user"
    assert stock == (1, message, False)
    assert ours == stock
