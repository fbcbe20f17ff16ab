"""The memo never serves what stock rez would not load, and pyrer-index tells the truth.

Each test here reproduces a defect found by a fault campaign against an
earlier version (issue 11): results of rez's evaluator remembered across
environments, false mismatches after ``rez-pkg-ignore``, prefix scans that
missed long paths, a full disk reported as success, entries written for files
that had only just changed, and misleading memo warnings.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyrer
import pytest
from pyrer._native import load_family

REZ = Path(sys.executable).parent / "rez"


def write_package(root: Path, family: str, version: str, body: str = "") -> Path:
    folder = root / family / version
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "package.py"
    path.write_text(f"name = {family!r}\nversion = {version!r}\n" + textwrap.dedent(body))
    return path


def settle() -> None:
    """Files written just now are not remembered until a timestamp tick has passed."""
    time.sleep(0.1)


def index(*args: str, memo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyrer.index", "-q", "--memo-dir", str(memo), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


# -- results of rez's evaluator follow the environment, as in stock rez -------


def rez_env_version(
    repo: Path, tmp: Path, request: str, family: str, shim: bool, **env: str
) -> str:
    """The version of `family` that `rez env request` resolves, in a new process."""
    rezconfig = tmp / "rezconfig.py"
    path = f"pyrer@{repo}" if shim else str(repo)
    rezconfig.write_text(
        "import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve\n"
        f"packages_path = [{path!r}]\n"
    )
    out = subprocess.run(
        [str(REZ), "env", request, "--", "printenv", f"REZ_{family.upper()}_VERSION"],
        env={
            **os.environ,
            "REZ_CONFIG_FILE": str(rezconfig),
            "PYRER_MEMO_DIR": str(tmp / "memo"),
            "PYRER_SHIM": "1" if shim else "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
def test_environment_dependent_file_follows_the_environment(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_package(repo, "dep", "1.0")
    write_package(repo, "dep", "2.0")
    write_package(repo, "tool", "1.0", """\
        import os
        requires = ['dep-' + os.environ.get('SITE_DEP', '1')]
        """)
    settle()
    for site_dep in ("1", "2", "1"):
        stock = rez_env_version(repo, tmp_path, "tool", "dep", shim=False, SITE_DEP=site_dep)
        ours = rez_env_version(repo, tmp_path, "tool", "dep", shim=True, SITE_DEP=site_dep)
        assert stock == ours == f"{site_dep}.0"
    # pyrer-index leaves such a file to rez: it keeps no entry to go stale
    out = index(str(repo), memo=tmp_path / "memo")
    assert out.returncode == 0, out.stderr
    memo = pyrer.Memo(str(tmp_path / "memo"))
    assert memo.lookup(str(repo / "tool" / "1.0" / "package.py")) is None


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
def test_early_function_reading_another_file_sees_its_edits(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    site = tmp_path / "site.json"
    site.write_text(json.dumps({"tool_requires": ["dep-1"]}))
    write_package(repo, "dep", "1.0")
    write_package(repo, "dep", "2.0")
    write_package(repo, "tool", "1.0", f"""\
        @early()
        def requires():
            import json
            return json.load(open({str(site)!r}))['tool_requires']
        """)
    settle()
    for wanted in ("1", "2"):
        site.write_text(json.dumps({"tool_requires": [f"dep-{wanted}"]}))
        stock = rez_env_version(repo, tmp_path, "tool", "dep", shim=False)
        ours = rez_env_version(repo, tmp_path, "tool", "dep", shim=True)
        assert stock == ours == f"{wanted}.0"


def test_opting_in_remembers_evaluated_files(tmp_path: Path) -> None:
    """With PYRER_MEMO_EVALUATED=1 (a studio's choice, as rez's memcached
    cache_package_files) the evaluation is remembered, keyed on the file's stamp."""
    repo = tmp_path / "repo"
    path = write_package(repo, "tool", "1.0", "import os\nrequires = ['dep']\n_sep = os.sep\n")
    settle()
    out = index(str(repo), memo=tmp_path / "memo", PYRER_MEMO_EVALUATED="1")
    assert out.returncode == 0, out.stderr
    entry = pyrer.Memo(str(tmp_path / "memo")).lookup(str(path))
    assert entry is not None and entry[0] == "evaluated" and entry[2] == ["dep"]


# -- pyrer-index --prune --verify ---------------------------------------------


def test_verify_after_rez_pkg_ignore_hides_a_version(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for v in ("1.0", "2.0"):
        write_package(repo, "tool", v, "requires = ['dep']\n")
    write_package(repo, "dep", "1.0")
    settle()
    memo = tmp_path / "memo"
    assert index(str(repo), memo=memo).returncode == 0
    (repo / "tool" / ".ignore2.0").write_text("")  # what rez-pkg-ignore writes
    out = index("--prune", "--verify", str(repo), memo=memo)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verify mismatches:           0" in out.stdout
    assert "hidden 1" in out.stdout, out.stdout


def test_prune_drops_the_listings_of_removed_families(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_package(repo, "tool", "1.0", "requires = ['dep']\n")
    write_package(repo, "dep", "1.0")
    settle()
    memo = tmp_path / "memo"
    assert index(str(repo), memo=memo).returncode == 0
    prefix = str(repo) + os.sep
    listed = sorted(pyrer.Memo(str(memo)).directories(prefix))
    assert listed == [str(repo / "dep"), str(repo / "tool")]
    shutil.rmtree(repo / "dep")
    out = index("--prune", str(repo), memo=memo)
    assert out.returncode == 0, out.stdout + out.stderr
    # dep's package file and dep's directory listing
    assert "pruned:                      2" in out.stdout, out.stdout
    left = pyrer.Memo(str(memo))
    assert left.directories(prefix) == [str(repo / "tool")]
    assert left.paths(prefix) == [str(repo / "tool" / "1.0" / "package.py")]


def long_repository(tmp_path: Path) -> Path:
    """A repository whose path is longer than a memo key keeps (463 bytes)."""
    repo = tmp_path
    while len(str(repo)) < 520:
        repo = repo / ("d" * 60)
    return repo / "repo"


def test_prune_and_verify_under_a_long_repository_path(tmp_path: Path) -> None:
    repo = long_repository(tmp_path)
    tool = write_package(repo, "tool", "1.0", "requires = ['dep']\n")
    write_package(repo, "dep", "1.0")
    gone = write_package(repo, "dep", "2.0")
    settle()
    memo = tmp_path / "memo"
    assert index(str(repo), memo=memo).returncode == 0
    assert sorted(pyrer.Memo(str(memo)).paths(str(repo) + os.sep)) == sorted(
        str(p) for p in (tool, gone, repo / "dep" / "1.0" / "package.py")
    )
    # a planted wrong entry is caught, a vanished file's entry pruned
    st = tool.stat()
    planted = pyrer.Memo(str(memo)).remember(
        str(tool), (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino), ["bogus"]
    )
    assert planted
    shutil.rmtree(gone.parent)
    out = index("--prune", "--verify", str(repo), memo=memo, PYRER_MEMO_EVALUATED="1")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "MISMATCH" in out.stderr and "bogus" in out.stderr
    assert "pruned:                      1" in out.stdout, out.stdout


# -- a full disk is an error, not a success -----------------------------------


def small_disk() -> None:
    """In the child: files may not grow past 256 KiB, as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 10, 256 << 10))


def test_index_on_a_full_disk_says_so(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for i in range(3000):
        write_package(repo, f"fam{i}", "1.0", f"requires = ['dep-{i}', 'other-{i}+<{i + 1}']\n")
    settle()
    memo = tmp_path / "memo"
    command = [sys.executable, "-m", "pyrer.index", "-q", "--memo-dir", str(memo)]
    full = subprocess.run([*command, str(repo)], capture_output=True, text=True,
                          preexec_fn=small_disk, timeout=300)  # fmt: skip
    assert full.returncode == 2, full.stdout + full.stderr
    assert "NOT STORED" in full.stdout and "could not be written" in full.stderr
    assert "Traceback" not in full.stderr
    verify = subprocess.run([*command, "--verify", str(repo)], capture_output=True, text=True,
                            preexec_fn=small_disk, timeout=300)  # fmt: skip
    assert verify.returncode == 2, verify.stdout + verify.stderr
    assert "Traceback" not in verify.stderr
    # with room again, the same memo fills and verifies
    ok = subprocess.run([*command, "--verify", str(repo)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "NOT STORED" not in ok.stdout


# -- racily clean files ---------------------------------------------------------


def test_a_file_that_just_changed_is_not_remembered(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_package(repo, "tool", "1.0", "requires = ['a']\n")
    memo = pyrer.Memo(str(tmp_path / "memo"))
    first = load_family(str(repo), "tool", None, memo)
    assert first.counters["parsed"] == 1 and first.counters["not_settled"] == 1
    memo.flush()
    assert memo.lookup(str(repo / "tool" / "1.0" / "package.py")) is None
    settle()
    second = load_family(str(repo), "tool", None, memo)
    assert second.counters["parsed"] == 1 and second.counters["memo_writes"] == 1
    memo.flush()
    third = load_family(str(repo), "tool", None, memo)
    assert third.counters["memo_hits"] == 1
    assert [p.requires for p in third.packages] == [["a"]]


# -- warnings name their cause ---------------------------------------------------


def test_dangling_symlink_memo_dir_is_named(tmp_path: Path) -> None:
    link = tmp_path / "memo"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OSError, match="symlink to .*nowhere, which does not exist"):
        pyrer.Memo(str(link))
