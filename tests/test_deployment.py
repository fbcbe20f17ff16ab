"""Deployment: the rezconfig activation snippet the README shows is safe on a
host whose rez has no pyrer (a render node, an older deployment); pyrer
installed apart from rez works on the oldest and newest rez 3, and a pyrer
that cannot load never breaks rez; contexts saved with pyrer load without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
# families with variants and commands, so a context records variant indices and
# an environment has something to show (the matrix script uses the same)
from deployment_matrix import write_repo as write_variant_repo  # noqa: E402

REZ_VERSION = "3.4.0"
OLDEST_REZ = "3.0.0"

SNIPPET = """\
# pyrer: where it is installed, resolve with pyrer.solve and serve the
# repositories through its memo; plain rez everywhere else
try:
    import pyrer.solver_shim  # noqa: F401  (ImportError: no pyrer, or it cannot load here)
    packages_path = ["pyrer@{repo}"]
except ImportError:
    packages_path = ["{repo}"]
"""


def make_rez_venv(root: Path, version: str) -> Path:
    """A virtualenv with rez `version` from PyPI and no pyrer; its ``rez`` command."""
    venv.create(root, with_pip=True)
    install = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", f"rez=={version}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"cannot install rez {version} from PyPI here: {install.stderr[-300:]}")
    return root / "bin" / "rez"


@pytest.fixture(scope="module")
def rez_venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    """``rez_venvs(version)``: the ``rez`` of a stock venv of that rez (made once)."""
    made: dict[str, Path] = {}

    def get(version: str) -> Path:
        if version not in made:
            made[version] = make_rez_venv(tmp_path_factory.mktemp(f"rez-{version}"), version)
        return made[version]

    yield get
    for rez in made.values():
        shutil.rmtree(rez.parent.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def stock_rez(rez_venvs: Callable[[str], Path]) -> Path:
    """The ``rez`` of a virtualenv with rez 3.4 from PyPI and no pyrer."""
    return rez_venvs(REZ_VERSION)


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


def install_target(rez: Path, target: Path) -> None:
    """``pip install --target`` of the built wheel (and tqdm), with `rez`'s Python."""
    install = subprocess.run(
        [str(rez.parent / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--target", str(target), str(built_wheel())],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr


def write_small_repo(repo: Path) -> None:
    for family, version, body in (("dep", "1.0", ""), ("tool", "1.0", "requires = ['dep']\n")):
        folder = repo / family / version
        folder.mkdir(parents=True)
        (folder / "package.py").write_text(f"name = {family!r}\nversion = {version!r}\n{body}")


def warnings_in(stderr: str) -> list[str]:
    """rez's warnings, without its note about pip installations."""
    return [line for line in stderr.splitlines()
            if "WARNING" in line.upper() and "Pip-based rez" not in line]  # fmt: skip


needs_wheel = pytest.mark.skipif(built_wheel() is None, reason="no built wheel in target/wheels")
needs_shell = pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")


@needs_shell
@needs_wheel
@pytest.mark.parametrize("rez_version", [OLDEST_REZ, REZ_VERSION])
def test_installed_apart_from_rez(
    tmp_path: Path, rez_venvs: Callable[[str], Path], rez_version: str
) -> None:
    """``pip install --target DIR`` + ``PYTHONPATH=DIR``: rez's own
    ``rezplugins`` package does not see pyrer's files there, but rez's scan
    of ``sys.path`` finds ``pyrer/rezplugins``: ``pyrer@``, the shim of the
    guarded snippet (``import pyrer.solver_shim``) and ``rez pyrer-index``
    work, with no warning."""
    rez = rez_venvs(rez_version)
    target = tmp_path / "site"
    install_target(rez, target)
    repo = tmp_path / "repo"
    write_small_repo(repo)
    rezconfig = tmp_path / "rezconfig.py"
    rezconfig.write_text(f"packages_path = [{f'pyrer@{repo}'!r}]\n")
    out = rez_env(rez, rezconfig, tmp_path, PYTHONPATH=str(target))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.0"
    assert "Traceback" not in out.stderr and not warnings_in(out.stderr), out.stderr

    # the guarded snippet: the shim resolves, through pyrer@
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET.format(repo=repo)))
    metrics = tmp_path / "metrics.jsonl"
    out = rez_env(rez, snippet, tmp_path, PYTHONPATH=str(target), PYRER_SHIM_METRICS=str(metrics))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.0"
    assert "Traceback" not in out.stderr and not warnings_in(out.stderr), out.stderr
    counters = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
    assert counters == [{"pyrer_solves": 1, "hit": 1}]

    index = subprocess.run(
        [str(rez), "pyrer-index", str(repo)],
        env={**os.environ, "REZ_CONFIG_FILE": str(rezconfig), "PYTHONPATH": str(target),
             "PYRER_MEMO_DIR": str(tmp_path / "memo-index")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert index.returncode == 0, index.stderr
    assert "(2 package files;" in index.stdout + index.stderr


@needs_shell
@needs_wheel
@pytest.mark.parametrize("rez_version", [OLDEST_REZ, REZ_VERSION])
def test_pyrer_that_cannot_load_never_breaks_rez(
    tmp_path: Path, rez_venvs: Callable[[str], Path], rez_version: str
) -> None:
    """pyrer on ``sys.path`` whose native module cannot load (built for
    another host): rez commands work, with one warning that says why;
    ``pyrer@`` paths are an unknown repository type (rez's own error, no
    traceback); the guarded snippet falls back to plain paths."""
    rez = rez_venvs(rez_version)
    target = tmp_path / "site"
    install_target(rez, target)
    (native,) = (target / "pyrer").glob("_native*.so")
    native.write_bytes(b"not a shared object")
    repo = tmp_path / "repo"
    write_small_repo(repo)
    plain = tmp_path / "plain.py"
    plain.write_text(f"packages_path = [{str(repo)!r}]\n")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET.format(repo=repo)))
    for rezconfig in (plain, snippet):
        out = rez_env(rez, rezconfig, tmp_path, PYTHONPATH=str(target))
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "1.0"
        assert "Traceback" not in out.stderr, out.stderr
        (warning,) = warnings_in(out.stderr)
        assert "pyrer@ package repository is unavailable" in warning

    ours = tmp_path / "ours.py"
    ours.write_text(f"packages_path = [{f'pyrer@{repo}'!r}]\n")
    out = rez_env(rez, ours, tmp_path, PYTHONPATH=str(target))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr, out.stderr
    assert "Unrecognised package repository plugin: 'pyrer'" in out.stderr, out.stderr


# what differs between two saves of one resolve: when and how long, how many
# package files were read, and which rez installation made it
VOLATILE_RXT_FIELDS = {"timestamp", "created", "solve_time", "load_time",
                       "num_loaded_packages", "rez_path"}  # fmt: skip
# and of two loads: when, a temp file per shell, and the saving rez (its rez_path)
VOLATILE_ENV = {"REZ_USED_TIMESTAMP", "REZ_SHELL_INIT_TIMESTAMP", "REZ_CONTEXT_FILE", "REZ_USED"}


def run_rez(rez: Path, rezconfig: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [str(rez), *args],
        env={**os.environ, "REZ_CONFIG_FILE": str(rezconfig),
             "PYRER_MEMO_DIR": str(tmp / "memo")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, f"rez {' '.join(args)}: {out.stderr[-2000:]}"
    assert "Traceback" not in out.stderr, out.stderr
    return out


def comparable_rxt(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if k not in VOLATILE_RXT_FIELDS}


def context_env(rez: Path, rezconfig: Path, tmp: Path, rxt: Path) -> dict[str, str]:
    """The environment `rez env --input` builds from `rxt`, loaded from one
    fixed path (REZ_RXT_FILE names it)."""
    loaded = tmp / "load" / "context.rxt"
    loaded.parent.mkdir(exist_ok=True)
    shutil.copyfile(rxt, loaded)
    out = run_rez(rez, rezconfig, tmp, "env", "--input", str(loaded), "--", "env", "-0")
    env = dict(line.split("=", 1) for line in out.stdout.split("\0") if "=" in line)
    return {k: v for k, v in env.items() if k not in VOLATILE_ENV}


# lines of `rez context -v` that say when, how long, how many files were read, which file
VOLATILE_SUMMARY = ("resolved by ", "load time:", "solve time:", "packages queried:", "rxt file:")


def context_summary(rez: Path, rezconfig: Path, tmp: Path, rxt: Path) -> list[str]:
    """`rez context -v` of `rxt` (which looks each search path up as a
    repository), without its volatile lines."""
    out = run_rez(rez, rezconfig, tmp, "context", "-v", str(rxt))
    lines = [line.rstrip() for line in out.stdout.splitlines()]
    return [line for line in lines if not line.startswith(VOLATILE_SUMMARY)]


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
def test_contexts_travel_between_rez_with_and_without_pyrer(
    tmp_path: Path, stock_rez: Path
) -> None:
    """A context saved through ``pyrer@`` paths with the solver shim is the
    .rxt stock rez saves (apart from times and load counts), and loads in a
    rez without pyrer to the same environment; stock rez's context loads in
    a rez with pyrer to the same environment too."""
    repo = tmp_path / "repo"
    write_variant_repo(repo)
    plain_config = tmp_path / "plain.py"
    plain_config.write_text(f"packages_path = [{str(repo)!r}]\n")
    pyrer_config = tmp_path / "pyrer.py"
    pyrer_config.write_text(
        f"import rezplugins.solver_shim\npackages_path = [{f'pyrer@{repo}'!r}]\n"
    )
    ours_rez = Path(sys.executable).parent / "rez"

    stock_rxt, ours_rxt = tmp_path / "stock.rxt", tmp_path / "ours.rxt"
    run_rez(stock_rez, plain_config, tmp_path, "env", "tool", "--output", str(stock_rxt))
    metrics = tmp_path / "metrics.jsonl"
    saved = subprocess.run(
        [str(ours_rez), "env", "tool", "--output", str(ours_rxt)],
        env={**os.environ, "REZ_CONFIG_FILE": str(pyrer_config),
             "PYRER_MEMO_DIR": str(tmp_path / "memo"), "PYRER_SHIM_METRICS": str(metrics)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    counters = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
    assert [c.get("pyrer_solves") for c in counters] == [1], counters

    stock, ours = comparable_rxt(stock_rxt), comparable_rxt(ours_rxt)
    handles: list[dict] = stock["resolved_packages"]  # type: ignore[assignment]
    assert 1 in [h["variables"]["index"] for h in handles]  # tool's second variant
    assert ours == stock

    # a rez without pyrer loads pyrer's context: same summary, same environment
    assert context_summary(stock_rez, plain_config, tmp_path, ours_rxt) == context_summary(
        stock_rez, plain_config, tmp_path, stock_rxt
    )
    stock_env = context_env(stock_rez, plain_config, tmp_path, stock_rxt)
    assert sorted(stock_env["REZ_USED_RESOLVE"].split()) == ["dep-2.0", "py-3.11", "tool-1.0"]
    assert context_env(stock_rez, plain_config, tmp_path, ours_rxt) == stock_env

    # a rez with pyrer loads stock rez's context as it loads its own
    assert context_env(ours_rez, pyrer_config, tmp_path, stock_rxt) == context_env(
        ours_rez, pyrer_config, tmp_path, ours_rxt
    )


def test_pyrer_repository_is_recorded_as_rez_filesystem_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process: handles name the filesystem type, the uid is the
    filesystem repository's (rez's memcached resolve keys), a handle of an
    older pyrer (``repository_type: pyrer``) still loads, and context paths
    are written plain."""
    from pyrer.rez_context import rez_paths
    from rez.package_repository import package_repository_manager
    from rez.packages import Variant
    from rez.utils.resources import ResourceHandle

    monkeypatch.setenv("PYRER_MEMO", "0")
    repo = tmp_path / "repo"
    write_variant_repo(repo)
    ours = package_repository_manager.get_repository(f"pyrer@{repo}")
    plain = package_repository_manager.get_repository(str(repo))
    assert ours.name() == "pyrer" and plain.name() == "filesystem"
    assert ours.uid == plain.uid

    family = ours.get_package_family("tool")
    (package,) = list(ours.iter_packages(family))
    variants = list(ours.iter_variants(package))
    assert [v.handle.get("repository_type") for v in variants] == ["filesystem"] * 2
    handle = variants[1].handle.to_dict()
    assert handle == plain.get_resource(
        variants[1].key, location=plain.location, name="tool", version="1.0", index=1
    ).handle.to_dict()

    old = ResourceHandle(handle["key"], {**handle["variables"], "repository_type": "pyrer"})
    loaded = Variant(package_repository_manager.get_resource_from_handle(old))
    assert loaded.handle.to_dict() == handle
    assert loaded.root == str(repo / "tool" / "1.0" / "py-3.11")

    assert rez_paths([f"pyrer@{repo}", str(repo), "/b", "pyrer@/c"]) == [str(repo), "/b", "/c"]
