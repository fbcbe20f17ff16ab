"""Deployment: the rezconfig activation snippet the README shows is safe on a
host whose rez has no pyrer (a render node, an older deployment)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

REZ_VERSION = "3.4.0"

SNIPPET = """\
# pyrer: where it is installed, resolve with pyrer.solve and serve the
# repositories through its memo; plain rez everywhere else
try:
    import rezplugins.solver_shim  # noqa: F401
    packages_path = ["pyrer@{repo}"]
except ImportError:
    packages_path = ["{repo}"]
"""


@pytest.fixture(scope="module")
def stock_rez(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtualenv with rez from PyPI and no pyrer; its ``rez`` command."""
    root = tmp_path_factory.mktemp("stock-rez")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"rez=={REZ_VERSION}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"cannot install rez from PyPI here: {install.stderr[-300:]}")
    yield root / "bin" / "rez"
    shutil.rmtree(root, ignore_errors=True)


def rez_env(rez: Path, rezconfig: Path, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(rez), "env", "tool", "--", "printenv", "REZ_DEP_VERSION"],
        env={**os.environ, "REZ_CONFIG_FILE": str(rezconfig),
             "PYRER_MEMO_DIR": str(tmp / "memo"), **env},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
def test_guarded_snippet_with_and_without_pyrer(tmp_path: Path, stock_rez: Path) -> None:
    repo = tmp_path / "repo"
    for family, version, body in (
        ("dep", "1.0", ""),
        ("dep", "2.0", ""),
        ("tool", "1.0", "requires = ['dep-2']\n"),
    ):
        folder = repo / family / version
        folder.mkdir(parents=True)
        (folder / "package.py").write_text(f"name = {family!r}\nversion = {version!r}\n{body}")
    rezconfig = tmp_path / "rezconfig.py"
    rezconfig.write_text(textwrap.dedent(SNIPPET.format(repo=repo)))

    # rez without pyrer: the plain path, no error
    plain = rez_env(stock_rez, rezconfig, tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip() == "2.0"

    # rez with pyrer: the same answer, served by pyrer through pyrer@
    metrics = tmp_path / "metrics.jsonl"
    ours = rez_env(Path(sys.executable).parent / "rez", rezconfig, tmp_path,
                   PYRER_SHIM_METRICS=str(metrics))  # fmt: skip
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.strip() == "2.0"
    counters = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
    assert counters == [{"pyrer_solves": 1, "hit": 1}]


def built_wheel() -> Path | None:
    """The wheel `scripts/test.sh` built and installed for this run."""
    wheels = sorted((Path(__file__).parent.parent / "target" / "wheels").glob("pyrer-*.whl"))
    return wheels[-1] if wheels else None


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
@pytest.mark.skipif(built_wheel() is None, reason="no built wheel in target/wheels")
def test_installed_apart_from_rez(tmp_path: Path, stock_rez: Path) -> None:
    """``pip install --target DIR`` + ``PYTHONPATH=DIR``: rez's own
    ``rezplugins`` package does not see pyrer's files there, but the entry
    point names a module of pyrer's own package, so ``pyrer@`` works."""
    target = tmp_path / "site"
    python = stock_rez.parent / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--target", str(target), str(built_wheel())],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    repo = tmp_path / "repo"
    for family, version, body in (("dep", "1.0", ""), ("tool", "1.0", "requires = ['dep']\n")):
        folder = repo / family / version
        folder.mkdir(parents=True)
        (folder / "package.py").write_text(f"name = {family!r}\nversion = {version!r}\n{body}")
    rezconfig = tmp_path / "rezconfig.py"
    rezconfig.write_text(f"packages_path = [{f'pyrer@{repo}'!r}]\n")
    out = rez_env(stock_rez, rezconfig, tmp_path, PYTHONPATH=str(target))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.0"
    assert "Traceback" not in out.stderr
