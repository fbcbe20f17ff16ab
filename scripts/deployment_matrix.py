#!/usr/bin/env python
"""pyrer's deployment checks over rez versions x Python versions.

For each (Python, rez) cell: a fresh virtualenv with that rez from PyPI, and
the built wheel (``target/wheels``; `scripts/build_portable_wheel.sh`):

``stock``
    rez alone (no pyrer) resolves a small repository (``rez env``). A cell
    where stock rez fails is reported as such; its other checks are skipped.
``target``
    pyrer installed apart from rez (``pip install --target DIR`` +
    ``PYTHONPATH=DIR``): ``pyrer@`` resolves the same packages, and so does
    the shim (``import pyrer.solver_shim``; its counters), no warning, no
    traceback.
``plugin``
    pyrer installed beside rez (``pip install`` into the venv): ``pyrer@``
    resolves the same packages, no warning, no traceback.
``shim``
    ``import rezplugins.solver_shim`` + ``pyrer@`` in rezconfig: the resolve
    goes through ``pyrer.solve`` (the shim's counters), the saved .rxt equals
    stock rez's (plain path, no shim) apart from times and load counts, and
    ``rez env --input`` of it in the same venv without pyrer's config gives
    stock's environment.
``indexer``
    ``rez pyrer-index REPO`` and the ``pyrer-index`` script fill the memo.

Usage::

    .venv/bin/python scripts/deployment_matrix.py [--rez 3.0.0 3.4.0 ...]
        [--python PATH ...] [--wheel WHEEL] [--json OUT.json]

Without ``--python`` it uses every CPython 3.9-3.13 it finds (``python3.X``
on PATH, pyenv's ``~/.pyenv/versions/3.X.*``). Prints a Markdown table
(the README's) and exits 1 if any check fails where stock rez works.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REZ_VERSIONS = ["3.0.0", "3.1.1", "3.2.1", "3.3.0", "3.4.0"]
CHECKS = ["stock", "target", "plugin", "shim", "indexer"]
VOLATILE_RXT = {"timestamp", "created", "solve_time", "load_time", "num_loaded_packages"}
VOLATILE_ENV = {"REZ_USED_TIMESTAMP", "REZ_SHELL_INIT_TIMESTAMP", "REZ_CONTEXT_FILE"}


@dataclass
class Cell:
    python: str
    rez: str
    results: dict[str, str] = field(default_factory=dict)  # check -> "ok" or why not
    seconds: float = 0.0

    @property
    def failed(self) -> list[str]:
        if self.results.get("stock") != "ok":
            return []
        return [c for c, r in self.results.items() if r != "ok"]


class CheckFailed(Exception):
    pass


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: int = 600) -> str:
    """Runs `cmd`; its stdout. Raises CheckFailed with the tail of stderr."""
    out = subprocess.run(
        cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise CheckFailed(f"{Path(cmd[0]).name} {' '.join(cmd[1:3])}: {last_line(out.stderr)}")
    if "Traceback" in out.stderr:
        raise CheckFailed(f"traceback: {last_line(out.stderr)}")
    warnings = [
        line for line in out.stderr.splitlines() if "WARNING" in line and "Pip-based" not in line
    ]
    if warnings:
        raise CheckFailed(f"warning: {warnings[0]}")
    return out.stdout


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][-200:] if lines else "(no output)"


def find_pythons() -> list[str]:
    found: dict[str, str] = {}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in range(9, 14):
        candidates = [shutil.which(f"python3.{minor}") or ""]
        candidates += [str(p / "bin" / "python") for p in sorted(pyenv.glob(f"3.{minor}.*"))]
        for candidate in candidates:
            if not candidate:
                continue
            probe = subprocess.run(
                [candidate, "-c", "import sys, venv; print('%d.%d.%d' % sys.version_info[:3])"],
                capture_output=True, text=True,
            )  # fmt: skip
            if probe.returncode == 0:
                found.setdefault(f"3.{minor}", candidate)
                break
    return list(found.values())


def write_repo(repo: Path) -> None:
    for family, version, body in (
        ("py", "3.9", ""),
        ("py", "3.11", ""),
        ("dep", "1.0", ""),
        ("dep", "2.0", "commands = 'env.DEP_HOME = \"{root}\"'\n"),
        ("tool", "1.0",
         "requires = ['dep-2']\nvariants = [['py-3.9'], ['py-3.11']]\n"
         "commands = 'env.PATH.append(\"{root}/bin\")'\n"),
    ):  # fmt: skip
        folder = repo / family / version
        folder.mkdir(parents=True)
        (folder / "package.py").write_text(f"name = {family!r}\nversion = {version!r}\n{body}")


def env_of(text: str) -> dict[str, str]:
    env = dict(line.split("=", 1) for line in text.split("\0") if "=" in line)
    return {k: v for k, v in env.items() if k not in VOLATILE_ENV}


def rxt_of(path: Path) -> dict[str, object]:
    return {k: v for k, v in json.loads(path.read_text()).items() if k not in VOLATILE_RXT}


def check_cell(python: str, rez_version: str, wheel: Path, work: Path) -> Cell:
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    cell = Cell(version, rez_version)
    start = time.perf_counter()
    repo = work / "repo"
    write_repo(repo)
    configs = {
        "plain": f"packages_path = [{str(repo)!r}]\n",
        "pyrer": f"packages_path = [{f'pyrer@{repo}'!r}]\n",
        "shim": f"import rezplugins.solver_shim\npackages_path = [{f'pyrer@{repo}'!r}]\n",
        "anyshim": f"import pyrer.solver_shim\npackages_path = [{f'pyrer@{repo}'!r}]\n",
    }
    for name, text in configs.items():
        (work / f"{name}.py").write_text(text)

    def cfg(name: str, **extra: str) -> dict[str, str]:
        return {"REZ_CONFIG_FILE": str(work / f"{name}.py"),
                "PYRER_MEMO_DIR": str(work / "memo"), **extra}  # fmt: skip

    venv_dir = work / "venv"
    bin_ = venv_dir / "bin"
    rez = str(bin_ / "rez")
    resolve = ["env", "tool", "--", "printenv", "REZ_USED_RESOLVE"]

    def attempt(check: str, body: object) -> None:
        try:
            body()  # type: ignore[operator]
            cell.results[check] = "ok"
        except (CheckFailed, AssertionError, subprocess.SubprocessError, OSError) as e:
            cell.results[check] = str(e) or type(e).__name__

    expected: dict[str, str] = {}

    def stock() -> None:
        run([python, "-m", "venv", str(venv_dir)])
        run([str(bin_ / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", f"rez=={rez_version}"])  # fmt: skip
        expected["resolve"] = run([rez, *resolve], cfg("plain")).strip()
        assert expected["resolve"], "stock rez resolved nothing"

    attempt("stock", stock)
    if cell.results["stock"] != "ok":
        for check in CHECKS[1:]:
            cell.results[check] = "skipped: stock rez fails"
        cell.seconds = time.perf_counter() - start
        return cell

    def target() -> None:
        site = work / "site"
        run([str(bin_ / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "--target", str(site), str(wheel)])  # fmt: skip
        got = run([rez, *resolve], cfg("pyrer", PYTHONPATH=str(site))).strip()
        assert got == expected["resolve"], f"pyrer@ resolved {got!r}, rez {expected['resolve']!r}"
        metrics = work / "target-metrics.jsonl"
        got = run([rez, *resolve], cfg("anyshim", PYTHONPATH=str(site),
                                       PYRER_SHIM_METRICS=str(metrics))).strip()  # fmt: skip
        assert got == expected["resolve"], f"the shim resolved {got!r}, rez {expected['resolve']!r}"
        counters = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
        assert [c.get("pyrer_solves") for c in counters] == [1], f"shim counters {counters}"

    def plugin() -> None:
        run([str(bin_ / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", str(wheel)])  # fmt: skip
        got = run([rez, *resolve], cfg("pyrer")).strip()
        assert got == expected["resolve"], f"pyrer@ resolved {got!r}, rez {expected['resolve']!r}"

    def shim() -> None:
        metrics = work / "metrics.jsonl"
        ours, stock_rxt = work / "ours.rxt", work / "stock.rxt"
        run([rez, "env", "tool", "--output", str(ours)],
            cfg("shim", PYRER_SHIM_METRICS=str(metrics)))  # fmt: skip
        run([rez, "env", "tool", "--output", str(stock_rxt)], cfg("plain", PYRER_SHIM="0"))
        counters = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
        assert [c.get("pyrer_solves") for c in counters] == [1], f"shim counters {counters}"
        assert rxt_of(ours) == rxt_of(stock_rxt), "saved .rxt differs from stock rez's"
        envs = []
        for rxt in (ours, stock_rxt):
            loaded = work / "load.rxt"
            shutil.copyfile(rxt, loaded)
            envs.append(env_of(run([rez, "env", "--input", str(loaded), "--", "env", "-0"],
                                   cfg("plain"))))  # fmt: skip
        assert envs[0] == envs[1], "rez env --input gives another environment than stock's"

    def indexer() -> None:
        out = run([rez, "pyrer-index", str(repo)], cfg("plain", PYRER_MEMO_DIR=str(work / "m1")))
        assert "(5 package files;" in out, f"rez pyrer-index: {last_line(out)}"
        out = run([str(bin_ / "pyrer-index"), str(repo)], cfg("plain",
                  PYRER_MEMO_DIR=str(work / "m2")))  # fmt: skip
        assert "(5 package files;" in out, f"pyrer-index: {last_line(out)}"

    for check, body in (("target", target), ("plugin", plugin), ("shim", shim),
                        ("indexer", indexer)):  # fmt: skip
        attempt(check, body)
    cell.seconds = time.perf_counter() - start
    return cell


def markdown(cells: list[Cell]) -> str:
    lines = ["| Python | rez | " + " | ".join(CHECKS) + " |",
             "|---|---|" + "---|" * len(CHECKS)]  # fmt: skip
    for cell in cells:
        marks = ["ok" if cell.results.get(c) == "ok" else "**fails**" if c in cell.failed
                 else "—" for c in CHECKS]  # fmt: skip
        if cell.results.get("stock") != "ok":
            marks[0] = "rez fails"
        lines.append(f"| {cell.python} | {cell.rez} | " + " | ".join(marks) + " |")
    notes = [f"- Python {c.python}, rez {c.rez}, {check}: {why}"
             for c in cells for check, why in c.results.items()
             if why != "ok" and not why.startswith("skipped")]  # fmt: skip
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rez", nargs="+", default=REZ_VERSIONS, help="rez versions")
    parser.add_argument("--python", nargs="+", help="interpreters (default: 3.9-3.13 found)")
    parser.add_argument("--wheel", type=Path, help="the wheel (default: target/wheels/pyrer-*)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    wheel = args.wheel or next(iter(sorted((ROOT / "target" / "wheels").glob("pyrer-*.whl"))), None)
    if wheel is None:
        parser.error("no wheel: run scripts/build_portable_wheel.sh or pass --wheel")
    pythons = args.python or find_pythons()
    print(f"wheel: {wheel.name}\npythons: {' '.join(pythons)}\nrez: {' '.join(args.rez)}",
          file=sys.stderr)  # fmt: skip
    cells = []
    for python in pythons:
        for rez_version in args.rez:
            with tempfile.TemporaryDirectory(prefix="pyrer-matrix-") as tmp:
                cell = check_cell(python, rez_version, wheel, Path(tmp))
            cells.append(cell)
            marks = ", ".join(f"{c}={'ok' if r == 'ok' else 'NO'}" for c, r in cell.results.items())
            print(f"Python {cell.python} rez {cell.rez} ({cell.seconds:.0f} s): {marks}",
                  file=sys.stderr)  # fmt: skip
    table = markdown(cells)
    print(textwrap.dedent(f"""\
        wheel `{wheel.name}`, {time.strftime('%Y-%m-%d')}, {os.uname().sysname} {os.uname().machine}
        """))
    print(table)
    if args.json:
        args.json.write_text(json.dumps([c.__dict__ for c in cells], indent=1))
    return 1 if any(c.failed for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
