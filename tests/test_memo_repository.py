"""The ``pyrer@`` repository plugin and its LMDB memo, with real rez and real LMDB.

rez is the oracle: solves through ``pyrer@repo``'s ``load_family`` must give
rez's recorded answers on the 188 benchmark requests (cold and warm memo),
rez's own resolves through ``pyrer@repo`` must equal those through the plain
path, and every file-level edge (edits, added and removed versions, dynamic
and late-bound files, damaged or unusable memos, concurrent processes) must
end in rez's answer or a fallback to rez, never a stale one.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrer
import pytest
import solver_harness as harness
from pyrer.rez_package import FallbackToRez

RESULTS = harness.load_benchmark_results()["results"]


def _repo(location: Path | str, memo_dir: Path | None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh ``pyrer@location`` repository using the memo in `memo_dir`."""
    from pyrer.rez_repository import PyrerPackageRepository
    from rez.package_repository import package_repository_manager

    if memo_dir is None:
        monkeypatch.setenv("PYRER_MEMO", "0")
    else:
        monkeypatch.setenv("PYRER_MEMO", "1")
        monkeypatch.setenv("PYRER_MEMO_DIR", str(memo_dir))
    return PyrerPackageRepository(str(location), package_repository_manager.pool)


def _write(root: Path, family: str, version: str | None, body: str) -> Path:
    folder = root / family / version if version else root / family
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "package.py"
    path.write_text(textwrap.dedent(body))
    return path


def _settle() -> None:
    """Waits until files written just now may be remembered: the memo skips
    files whose timestamps are within one timestamp tick of the present."""
    time.sleep(0.1)


def _rez_view(location: Path, family: str, version_range: str | None = None) -> list[Any]:
    """What rez itself loads for the family (plain filesystem repository)."""
    from rez.packages import iter_packages

    packages = iter_packages(family, version_range, [str(location)])
    return sorted((pyrer.PackageData.from_rez(p) for p in packages), key=lambda p: p.version)


def _served(repo: Any, family: str, version_range: str | None = None) -> list[Any]:
    return sorted(repo.load_family(family, version_range), key=lambda p: p.version)


def _fresh_rez_caches() -> None:
    from rez.package_repository import package_repository_manager

    package_repository_manager.clear_caches()


# -- the benchmark: 188 requests through pyrer@ ----------------------------


@pytest.fixture(scope="module")
def bench_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("rez-benchmark")
    extracted = harness.extract_benchmark_repo(root)
    _settle()  # files written just now are too fresh for the memo to remember
    yield extracted
    shutil.rmtree(root, ignore_errors=True)


def test_benchmark_through_pyrer_repository(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold then warm memo: rez's recorded answer for all 188 requests, and a
    warm memo opens no package.py. Warm, with families loaded ahead as usual,
    with the solve waiting for every family queued ahead (so that most come
    from the prefetcher, deterministically), and without loading ahead."""
    repo = _repo(bench_path, tmp_path / "memo", monkeypatch)
    prefetch = {"cold": "1", "warm": "1", "warm, waiting for prefetches": "wait",
                "warm, no prefetch": "0"}
    for phase, mode in prefetch.items():
        monkeypatch.setenv("PYRER_PREFETCH", mode)
        repo.load_family.reset_counters()
        mismatches = []
        for entry in RESULTS:
            expected = harness.Outcome.from_json(entry)
            got = harness.run_pyrer(pyrer, entry["request"], None, load_family=repo.load_family)
            if got.key() != expected.key():
                mismatches.append((entry["index"], harness.diff_outcomes(expected, got)))
        assert not mismatches, f"{phase}: {mismatches[:3]}"
        counters = repo.load_counters
        if phase == "cold":
            assert counters["parsed"] > 0  # later requests hit what earlier ones wrote
            repo.memo.flush()
        else:
            assert counters["files_read"] == 0, dict(counters)
            assert counters["memo_hits"] > 0 and counters["parsed"] == 0
        if mode == "wait":
            assert counters["prefetched"] > counters["families"] / 2, dict(counters)
        if mode == "0":
            assert counters["prefetched"] == 0, dict(counters)


def test_pyrer_index_fills_and_verifies(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo_dir = tmp_path / "memo"
    env = {**os.environ, "PYRER_MEMO_DIR": str(memo_dir)}
    run = [sys.executable, "-m", "pyrer.index", "-q", str(bench_path)]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert "static (parsed now):         18226" in first.stdout, first.stdout
    again = subprocess.run([*run, "--prune"], env=env, capture_output=True, text=True, check=True)
    assert "unchanged (already in memo): 18226" in again.stdout, again.stdout
    assert "pruned:                      0" in again.stdout
    repo = _repo(bench_path, memo_dir, monkeypatch)
    for name in ("maya", "python", "foo"):
        repo.load_family(name)
    assert repo.load_counters["files_read"] == 0


# -- rez's own operations through pyrer@ ------------------------------------


@pytest.fixture()
def small_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    _write(root, "python", "2.7.0", 'name = "python"\nversion = "2.7.0"\n')
    _write(root, "python", "3.7.0", 'name = "python"\nversion = "3.7.0"\n')
    _write(root, "plat", None, 'name = "plat"\n')  # unversioned, no version field
    _write(root, "tool", "1.0", """\
        name = "tool"
        version = "1.0"
        requires = ["python-2.7+"]
        variants = [["python-2.7"], ["python-3.7"]]
        def commands():
            env.PATH.append("{root}/bin")
        """)
    _write(root, "early", "2.0", """\
        name = "early"
        version = "2.0"
        @early()
        def requires():
            import os  # what the environment says: only rez's evaluator knows
            return [os.environ.get("PYRER_TEST_EARLY_REQUIRES", "python-3")]
        """)
    _settle()
    return root


def test_rez_resolves_identically_through_pyrer_paths(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rez.exceptions import RezError
    from rez.resolved_context import ResolvedContext

    monkeypatch.setenv("PYRER_MEMO_DIR", str(tmp_path / "memo"))

    def resolve(request: list[str], path: str) -> tuple[Any, ...]:
        try:
            ctx = ResolvedContext(request, package_paths=[path])
        except RezError as e:
            return ("raised", type(e).__name__)
        variants = [(v.name, str(v.version), v.index) for v in ctx.resolved_packages or []]
        return (ctx.status.name, variants, ctx)

    for request in (["tool"], ["tool", "python-2"], ["early", "tool"], ["plat"], ["tool-3"]):
        plain = resolve(request, str(small_repo))
        served = resolve(request, f"pyrer@{small_repo}")
        assert served[:2] == plain[:2], request
        if plain[0] == "solved":
            rxt = tmp_path / "ctx.rxt"
            served[2].save(str(rxt))
            loaded = ResolvedContext.load(str(rxt))
            assert [v.qualified_name for v in loaded.resolved_packages] == [
                v.qualified_name for v in served[2].resolved_packages
            ]


def test_serves_what_rez_loads(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    for family, rng in (("python", None), ("python", "3+"), ("tool", None), ("plat", None),
                        ("early", None), ("plat", "1+"), ("nope", None)):
        assert _served(repo, family, rng) == _rez_view(small_repo, family, rng), (family, rng)
    # rez's evaluator ran for the @early file (the static parser declines it;
    # the file without a version field is parsed, its version being the
    # layout's); as stock rez without memcached, a new process evaluates it again
    assert repo.load_counters["evaluated"] == 1
    repo.memo.flush()
    fresh = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert _served(fresh, "early") == _rez_view(small_repo, "early")
    assert _served(fresh, "plat") == _rez_view(small_repo, "plat")
    assert fresh.load_counters["evaluated"] == 1 and fresh.load_counters["memo_hits"] == 1
    # a studio that opts in gets them from the memo
    monkeypatch.setenv("PYRER_MEMO_EVALUATED", "1")
    for _ in range(2):
        opted = _repo(small_repo, tmp_path / "memo", monkeypatch)
        assert _served(opted, "early") == _rez_view(small_repo, "early")
        assert _served(opted, "plat") == _rez_view(small_repo, "plat")
    assert opted.load_counters["evaluated"] == 0 and opted.load_counters["memo_hits"] == 2


def test_late_bound_requires_fall_back_to_rez(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(small_repo, "late", "1.0", """\
        name = "late"
        version = "1.0"
        @late()
        def requires():
            return ["python"]
        """)
    for attempt in range(2):  # the second time the memo already knows
        repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
        with pytest.raises(FallbackToRez, match="late"):
            repo.load_family("late")
        assert repo.load_counters["late_bound"] == attempt


def test_layout_edge_cases_follow_rez(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (small_repo / "python" / ".ignore2.7.0").write_text("")
    (small_repo / "python" / "4.0").mkdir()
    (small_repo / "python" / ".building4.0").write_text("")
    (small_repo / "combined.py").write_text('name = "combined"\nversions = ["1.0"]\n')
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert _served(repo, "python") == _rez_view(small_repo, "python")
    assert [p.version for p in _served(repo, "python")] == ["3.7.0"]
    with pytest.raises(FallbackToRez, match="combined"):
        repo.load_family("combined")
    (small_repo / "python" / "5.0").mkdir()  # no package.py: rez fails on it
    with pytest.raises(FallbackToRez, match="definition file"):
        repo.load_family("python")
    assert repo.load_family("python", "<4") == _rez_view(small_repo, "python", "<4")


# -- staleness: the memo never serves an old answer --------------------------


def test_edits_are_picked_up(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    path = small_repo / "python" / "3.7.0" / "package.py"
    assert _served(repo, "python")[1].requires == []
    repo.memo.flush()
    st = path.stat()

    # same mtime (to the ns), different size
    path.write_text('name = "python"\nversion = "3.7.0"\nrequires = ["platform"]\n')
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _served(repo, "python")[1].requires == ["platform"]
    repo.memo.flush()

    # same size, different mtime
    st = path.stat()
    path.write_text('name = "python"\nversion = "3.7.0"\nrequires = ["platfxrm"]\n')
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert path.stat().st_size == st.st_size
    assert _served(repo, "python")[1].requires == ["platfxrm"]
    assert _served(repo, "python") == _rez_view(small_repo, "python")


@pytest.mark.parametrize("checks", ["later", "now"])
def test_a_solve_served_an_edited_file_from_the_memo_is_solved_again(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checks: str
) -> None:
    """A solve whose loads took stamps from the memo's records (checked
    after the load) is not answered from a record whose file changed since:
    the check finds it and the solve runs again, reading every stamp. With
    ``PYRER_STAMP_CHECKS=now`` each stamp is read as it loads instead."""
    monkeypatch.setenv("PYRER_STAMP_CHECKS", checks)
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    request = ["tool", "plat"]
    path = small_repo / "tool" / "1.0" / "package.py"

    def solve() -> harness.Outcome:
        _fresh_rez_caches()
        expected = harness.run_rez(request, [str(small_repo)]).outcome
        got = harness.run_pyrer(pyrer, request, None, load_family=repo.load_family)
        assert got.key() == expected.key()
        return got

    assert ("tool", "1.0", 1) in solve().resolved  # python-3.7's variant
    repo.memo.flush()
    repo.load_family.reset_counters()
    assert ("tool", "1.0", 1) in solve().resolved
    counters = dict(repo.load_counters)
    assert counters["memo_hits"] > 0 and counters["parsed"] == 0, counters
    assert counters["solves_repeated"] == 0, counters
    assert (counters["stamps_deferred"] > 0) == (checks == "later"), counters

    # same mtime to the nanosecond: only the size tells the edit
    st = path.stat()
    path.write_text(path.read_text().replace('["python-3.7"]', '["python-3.7", "!plat"]'))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    repo.load_family.reset_counters()
    assert ("tool", "1.0", 0) in solve().resolved  # the edited variant conflicts with plat
    counters = dict(repo.load_counters)
    assert counters["solves_repeated"] == (1 if checks == "later" else 0), counters
    assert counters["parsed"] == 1, counters


def test_added_and_deleted_versions(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert [p.version for p in _served(repo, "python")] == ["2.7.0", "3.7.0"]
    _write(small_repo, "python", "3.9.1", 'name = "python"\nversion = "3.9.1"\n')
    assert [p.version for p in _served(repo, "python")] == ["2.7.0", "3.7.0", "3.9.1"]
    shutil.rmtree(small_repo / "python" / "2.7.0")
    assert [p.version for p in _served(repo, "python")] == ["3.7.0", "3.9.1"]
    repo.memo.flush()
    gone = str(small_repo / "python" / "2.7.0" / "package.py")
    assert gone in repo.memo.paths(str(small_repo) + os.sep)
    from pyrer.index import prune

    assert prune(str(small_repo), repo.memo) == 1
    assert gone not in repo.memo.paths(str(small_repo) + os.sep)


# -- unusable and damaged memos -----------------------------------------------


def test_unwritable_memo_location_degrades_to_no_memo(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with caplog.at_level("WARNING", logger="pyrer.memo"):
        repo = _repo(small_repo, blocker / "memo", monkeypatch)
        again = _repo(small_repo, blocker / "memo", monkeypatch)
    assert repo.memo is None and again.memo is None
    assert len([r for r in caplog.records if "memo unavailable" in r.message]) == 1
    assert _served(repo, "tool") == _rez_view(small_repo, "tool")


def _filled_memo(small_repo: Path, memo_dir: Path) -> None:
    memo = pyrer.Memo(str(memo_dir))
    load = pyrer._native.load_family(str(small_repo), "python", None, memo)
    assert load.counters["parsed"] == 2
    memo.flush()
    del memo, load
    gc.collect()


@pytest.mark.parametrize("damage", ["truncate", "garbage_header", "empty"])
def test_damaged_memo_file_is_set_aside(small_repo: Path, tmp_path: Path, damage: str) -> None:
    memo_dir = tmp_path / f"memo-{damage}"
    _filled_memo(small_repo, memo_dir)
    data = memo_dir / "data.mdb"
    size = data.stat().st_size
    with open(data, "r+b") as f:
        if damage == "truncate":
            f.truncate(size // 2 if size > 3 * 4096 else 4096 + 100)
        elif damage == "garbage_header":
            f.write(os.urandom(2 * 4096))
        else:
            f.truncate(100)
    memo = pyrer.Memo(str(memo_dir))
    assert any("damaged" in n for n in memo.notices), memo.notices
    load = pyrer._native.load_family(str(small_repo), "python", None, memo)
    assert sorted(p.version for p in load.packages) == ["2.7.0", "3.7.0"]
    assert load.counters["parsed"] == 2  # nothing served from the damaged file


def test_damaged_value_reads_as_a_miss(small_repo: Path, tmp_path: Path) -> None:
    memo_dir = tmp_path / "memo"
    (small_repo / "python" / "3.7.0" / "package.py").write_text(
        'name = "python"\nversion = "3.7.0"\nrequires = ["marker_requirement_xyz"]\n'
    )
    _settle()
    _filled_memo(small_repo, memo_dir)
    data = memo_dir / "data.mdb"
    raw = bytearray(data.read_bytes())
    at = raw.find(b"marker_requirement_xyz")
    assert at > 0
    raw[at] ^= 0x01
    data.write_bytes(bytes(raw))
    memo = pyrer.Memo(str(memo_dir))
    load = pyrer._native.load_family(str(small_repo), "python", None, memo)
    assert load.counters["memo_hits"] == 1 and load.counters["parsed"] == 1
    got = {p.version: p.requires for p in load.packages}
    assert got["3.7.0"] == ["marker_requirement_xyz"]


def test_map_full_grows(bench_path: Path, tmp_path: Path) -> None:
    memo = pyrer.Memo(str(tmp_path / "memo"), 1 << 20)
    start = memo.stats()["map_size"]
    names = pyrer._native.repository_families(str(bench_path))
    counters, *_ = pyrer._native.index_families(str(bench_path), names, memo)
    assert counters["memo_writes"] == 18226
    stats = memo.stats()
    # one solver entry per file, and the families' remembered listings
    assert len(memo.paths(str(bench_path))) == 18226
    assert stats["entries"] > 18226 and stats["map_size"] > start


# -- several processes ----------------------------------------------------------


def test_a_reader_takes_up_a_map_another_process_grew(bench_path: Path, tmp_path: Path) -> None:
    """LMDB refuses a read transaction of a process whose map another one
    grew until it adopts the new size: every kind of read must do so."""
    memo_dir = tmp_path / "memo"
    reader = textwrap.dedent(f"""
        import sys
        import pyrer
        memo = pyrer.Memo({str(memo_dir)!r}, 1 << 20)
        small = memo.stats()["map_size"]
        print("open", flush=True)
        sys.stdin.readline()  # another process grows the map meanwhile
        paths = memo.paths({str(bench_path)!r})
        stats = memo.stats()
        print(len(paths), stats["entries"] > len(paths), stats["map_size"] > small, stats["broken"])
    """)
    proc = subprocess.Popen([sys.executable, "-c", reader], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "open\n"
    env = {**os.environ, "PYRER_MEMO_DIR": str(memo_dir), "PYRER_MEMO_MAP_SIZE": str(1 << 20)}
    indexed = subprocess.run([sys.executable, "-m", "pyrer.index", "-q", str(bench_path)],
                             env=env, capture_output=True, text=True, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    out, err = proc.communicate("go\n", timeout=300)
    assert proc.returncode == 0, err
    assert out.split() == ["18226", "True", "True", "None"], err


def test_two_indexers_and_a_reader_at_once(bench_path: Path, tmp_path: Path) -> None:
    memo_dir = tmp_path / "memo"
    env = {**os.environ, "PYRER_MEMO_DIR": str(memo_dir), "PYRER_MEMO_MAP_SIZE": str(1 << 20)}
    indexers = [
        subprocess.Popen([sys.executable, "-m", "pyrer.index", "-q", str(bench_path)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    reader = textwrap.dedent(f"""
        import pyrer
        memo = pyrer.Memo({str(memo_dir)!r}, 1 << 20)
        for _ in range(30):
            for name in ("ATM", "CD", "abundance", "abuse"):
                load = pyrer._native.load_family({str(bench_path)!r}, name, None, memo)
                assert load.packages and not load.needs_rez, load.needs_rez
        print("reader ok")
    """)
    out = subprocess.run([sys.executable, "-c", reader], env=env, capture_output=True,
                         text=True, timeout=300)
    results = [p.communicate(timeout=300) for p in indexers]
    assert out.returncode == 0 and "reader ok" in out.stdout, out.stderr
    for p, (_stdout, stderr) in zip(indexers, results):
        assert p.returncode == 0, stderr
    memo = pyrer.Memo(str(memo_dir))
    assert len(memo.paths(str(bench_path))) == 18226
    load = pyrer._native.load_family(str(bench_path), "maya", None, memo)
    assert load.counters["files_read"] == 0


def test_memo_dir_from_the_plugin_setting(small_repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "rezconfig.py"
    memo_dir = tmp_path / "from-setting"
    config.write_text(
        f"plugins = {{'package_repository': {{'pyrer': {{'memo_dir': {str(memo_dir)!r}}}}}}}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYRER_", "REZ_"))}
    code = textwrap.dedent(f"""
        from rez.package_repository import package_repository_manager as m
        repo = m.get_repository("pyrer@{small_repo}")
        assert repo.load_family("python")
        print(repo.memo.path)
    """)
    out = subprocess.run([sys.executable, "-c", code], env={**env, "REZ_CONFIG_FILE": str(config)},
                         capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == memo_dir.resolve()


def test_verify_catches_a_wrong_entry(small_repo: Path, tmp_path: Path) -> None:
    memo_dir = tmp_path / "memo"
    # evaluated entries are served (and so checked) only when opted in
    env = {**os.environ, "PYRER_MEMO_DIR": str(memo_dir), "PYRER_MEMO_EVALUATED": "1"}
    run = [sys.executable, "-m", "pyrer.index", "-q", "--verify", str(small_repo)]
    ok = subprocess.run(run, env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "verify mismatches:           0" in ok.stdout, ok.stdout
    path = small_repo / "tool" / "1.0" / "package.py"
    st = path.stat()
    memo = pyrer.Memo(str(memo_dir))
    memo.remember(str(path), (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino), ["bogus"])
    del memo
    gc.collect()
    bad = subprocess.run(run, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "MISMATCH" in bad.stderr and "bogus" in bad.stderr, bad.stderr


def test_shim_contexts_equal_stock_rez_on_benchmark_requests(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ResolvedContext with the shim and pyrer@ vs stock rez on the plain path:
    the same saved context (resolve graph included), apart from times and paths."""
    from rez.resolved_context import ResolvedContext

    import rezplugins.solver_shim as shim

    monkeypatch.setenv("PYRER_MEMO_DIR", str(tmp_path / "memo"))
    volatile = {"created", "timestamp", "solve_time", "load_time", "num_loaded_packages",
                "package_paths", "resolved_packages"}
    fastest = sorted((e for e in RESULTS if e["status"] == "solved"),
                     key=lambda e: e["solve_time"])[:6]

    def saved(ctx: Any) -> dict[str, Any]:
        return {k: v for k, v in ctx.to_dict().items() if k not in volatile}

    for entry in fastest:
        shim.deactivate()
        stock = ResolvedContext(entry["request"], package_paths=[str(bench_path)])
        shim.activate()
        try:
            before = shim.metrics.snapshot().get("hit", 0)
            ours = ResolvedContext(entry["request"], package_paths=[f"pyrer@{bench_path}"])
            assert shim.metrics.snapshot().get("hit", 0) == before + 1
        finally:
            shim.deactivate()
        assert saved(ours) == saved(stock), entry["index"]
        assert [v.qualified_name for v in ours.resolved_packages] == [
            v.qualified_name for v in stock.resolved_packages
        ]


def test_graph_is_the_same_with_rez_algebra(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shim builds rez's graph with pyrer's Rust algebra, falling back to
    rez's classes: both must give the same graph."""
    from rez.resolver import Resolver
    from rez.utils.graph_utils import write_compacted
    from rez.version import Requirement

    from rezplugins.solver_shim.resolve import attempt
    from rezplugins.solver_shim.result import PyrerSolver, _PyrerAlgebra, _RezAlgebra

    monkeypatch.setenv("PYRER_MEMO_DIR", str(tmp_path / "memo"))
    solved = [e for e in RESULTS if e["status"] == "solved"]
    for entry in solved[:: len(solved) // 8][:8]:
        resolver = Resolver(None, [Requirement(r) for r in entry["request"]],
                            [f"pyrer@{bench_path}"], caching=False)
        ours = attempt(resolver)
        assert isinstance(ours, PyrerSolver), ours
        fast = write_compacted(ours._build_graph(_PyrerAlgebra()))
        assert fast == write_compacted(ours._build_graph(_RezAlgebra())), entry["index"]


@pytest.mark.parametrize(
    "command",
    [
        ["search", "--type", "package", "*"],
        ["search", "--type", "variant", "tool"],
        ["view", "tool-1.0"],
        ["env", "tool", "--", "echo", "ok"],
    ],
)
def test_rez_commands_through_pyrer_paths(
    small_repo: Path, tmp_path: Path, command: list[str]
) -> None:
    """rez's command line on pyrer@ prints what it prints on the plain path."""
    rez = Path(sys.executable).parent / "rez"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYRER_", "REZ_"))}
    env["PYRER_MEMO_DIR"] = str(tmp_path / "memo")
    outputs = []
    for path in (str(small_repo), f"pyrer@{small_repo}"):
        config = tmp_path / "rezconfig.py"
        config.write_text(f"packages_path = [{path!r}]\n")
        out = subprocess.run([str(rez), *command], env={**env, "REZ_CONFIG_FILE": str(config)},
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout.replace(f"pyrer@{small_repo}", "<repo>")
                       .replace(str(small_repo), "<repo>"))
    assert outputs[0] == outputs[1]
    assert outputs[0].strip()


def test_rez_pyrer_index_command(small_repo: Path, tmp_path: Path) -> None:
    """``rez pyrer-index``, the rez command plugin, fills the memo like pyrer-index."""
    rez = Path(sys.executable).parent / "rez"
    memo_dir = tmp_path / "memo"
    out = subprocess.run([str(rez), "pyrer-index", "-q", "--memo-dir", str(memo_dir),
                          str(small_repo)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYRER_MEMO_EVALUATED": "1"})
    assert out.returncode == 0, out.stderr
    # the unversioned file without a version field is parsed: the layout gives its version
    assert "static (parsed now):         4" in out.stdout, out.stdout
    assert "dynamic (rez evaluator):     1" in out.stdout, out.stdout
    memo = pyrer.Memo(str(memo_dir))
    path = str(small_repo / "early" / "2.0" / "package.py")
    entry = memo.lookup(path)
    assert entry is not None and entry[0] == "evaluated" and entry[2] == ["python-3"]


def test_yaml_packages_go_through_rez(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = small_repo / "yamlpkg" / "1.0"
    folder.mkdir(parents=True)
    (folder / "package.yaml").write_text(
        "name: yamlpkg\nversion: '1.0'\nrequires:\n- python-3\nvariants:\n- [plat]\n"
    )
    _settle()
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert _served(repo, "yamlpkg") == _rez_view(small_repo, "yamlpkg")
    assert repo.load_counters["evaluated"] == 1
    again = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert _served(again, "yamlpkg") == _rez_view(small_repo, "yamlpkg")
    assert again.load_counters["evaluated"] == 0 and again.load_counters["memo_hits"] == 1


def test_forked_child_does_not_use_the_parents_memo(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(small_repo, tmp_path / "memo", monkeypatch)
    assert repo.load_family("python") and repo.memo is not None
    pid = os.fork()
    if pid == 0:  # the child: served from disk, without the inherited LMDB handle
        ok = _served(repo, "python") == _rez_view(small_repo, "python") and repo.memo is None
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert repo.memo is not None


def test_parallel_work_in_a_forked_child(bench_path: Path, tmp_path: Path) -> None:
    """After the parent used the rayon pool, a forked child still parses (on its
    own thread) instead of waiting forever on the parent's vanished workers."""
    files = [str(p) for p in sorted((bench_path).glob("*/*/package.py"))[:200]]
    assert all(pyrer.parse_static_packages_py(files))  # the pool now has threads
    pid = os.fork()
    if pid == 0:
        ok = all(pyrer.parse_static_packages_py(files))
        memo = pyrer.Memo(str(tmp_path / "child-memo"))
        load = pyrer._native.load_family(str(bench_path), files[0].split("/")[-3], None, memo)
        os._exit(0 if ok and load.packages else 1)
    for _ in range(600):  # a hang would fail here, not block the suite
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        import time

        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    assert os.WEXITSTATUS(status) == 0
