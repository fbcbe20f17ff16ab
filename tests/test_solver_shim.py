"""The solver shim (rezplugins.solver_shim) against stock rez 3.4, with real repositories.

Each test resolves the same thing with the shim and with rez's own solver
(``PYRER_SHIM=0``) and compares what rez's consumers read; the metrics counters
tell which path served the resolve.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import solver_harness as harness
from rez.config import config
from rez.exceptions import PackageNotFoundError
from rez.package_filter import PackageFilterList, Rule
from rez.package_order import (
    NullPackageOrder,
    PerFamilyOrder,
    SortedOrder,
    TimestampPackageOrder,
    VersionSplitPackageOrder,
)
from rez.resolved_context import ResolvedContext
from rez.resolver import Resolver, ResolverStatus
from rez.version import Version

import rezplugins.solver_shim as shim

shim.deactivate()  # importing activates; the fixture below scopes it to each test

# Fields of a context that differ between any two resolves (times, machine state).
# The resolve graph is compared too, as the serialized string rez saves.
VOLATILE = {"created", "timestamp", "solve_time", "load_time", "num_loaded_packages"}

PACKAGES: dict[str, str] = {
    "python/2.7.0": "requires = []",
    "python/3.9.0": "requires = []",
    "python/3.10.0": "requires = []",
    "foo/1.0.0": "requires = ['python-3']",
    "foo/2.0.0": "variants = [['python-2.7'], ['python-3.9']]",
    "bar/1.0.0": "requires = ['foo-1', '~python-3.10']",
    "bar/1.1.0": "requires = ['foo-2']\nbuild_requires = ['cmake-3']",
    "cmake/3.0.0": "requires = []",
    "cmake/4.0.0": "requires = []",
    "old/1.0.0": "timestamp = 1000",
    "old/2.0.0": "timestamp = 2000",
    "late/1.0.0": "@late()\ndef requires():\n    return ['python-2']",
    # @late functions that read the resolve's context and the variant (`this`)
    "latectx/1.0.0": (
        "@late()\ndef requires():\n"
        "    return ['python-3'] if in_context() and 'foo' in request else ['python-2']"
    ),
    "latevar/1.0.0": (
        "variants = [['python-2.7'], ['python-3.9']]\n"
        "@late()\ndef requires():\n"
        "    return ['foo-2'] if getattr(this, 'index', None) == 1 else ['foo-1']"
    ),
    "clash/1.0.0": "requires = ['foo-1', 'bar-1.1']",
    "eph/1.0.0": "requires = ['.fx-1', 'python']",
}
# the same (name, version) as in the first path with different requires: the first path wins
SHADOWED: dict[str, str] = {
    "foo/1.0.0": "requires = ['python-2']",
    "foo/3.0.0": "requires = []",
}


def write_repo(root: Path, packages: dict[str, str]) -> Path:
    for key, body in packages.items():
        name, version = key.split("/")
        d = root / name / version
        d.mkdir(parents=True, exist_ok=True)
        (d / "package.py").write_text(
            f"name = {name!r}\nversion = {version!r}\n{textwrap.dedent(body)}\n"
        )
    return root


@pytest.fixture(scope="module", autouse=True)
def memo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The pyrer@ repositories' memo in a private directory (also for `rez env` processes)."""
    path = tmp_path_factory.mktemp("memo")
    saved = os.environ.get("PYRER_MEMO_DIR")
    os.environ["PYRER_MEMO_DIR"] = str(path)
    yield path
    if saved is None:
        del os.environ["PYRER_MEMO_DIR"]
    else:
        os.environ["PYRER_MEMO_DIR"] = saved


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_repo(tmp_path_factory.mktemp("shim-repo"), PACKAGES)


@pytest.fixture(scope="module")
def shadow_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_repo(tmp_path_factory.mktemp("shim-shadow"), SHADOWED)


@pytest.fixture(scope="module")
def solver_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.copy_rez_test_solver_repo(tmp_path_factory.mktemp("rez-solver") / "packages")


@pytest.fixture(autouse=True)
def active_shim(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PYRER_SHIM", raising=False)
    monkeypatch.delenv("PYRER_SHIM_VALIDATE", raising=False)
    shim.activate()
    shim.metrics.reset()
    with config_overrides():
        yield
    shim.deactivate()


@contextmanager
def config_overrides() -> Iterator[None]:
    """`config.override` calls made inside are undone at the end."""
    saved = dict(config.overrides)
    try:
        yield
    finally:
        for key in list(config.overrides):
            if key not in saved:
                config.remove_override(key)
        for key, value in saved.items():
            config.override(key, value)


def stock(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> ResolvedContext:
    monkeypatch.setenv("PYRER_SHIM", "0")
    try:
        return ResolvedContext(**kwargs)
    finally:
        monkeypatch.delenv("PYRER_SHIM")


def shimmed(**kwargs: Any) -> ResolvedContext:
    return ResolvedContext(**kwargs)


def answer(ctx: ResolvedContext) -> dict[str, Any]:
    d = ctx.to_dict()
    return {k: v for k, v in d.items() if k not in VOLATILE}


def graph_sets(ctx: ResolvedContext) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    g = ctx.graph()
    labels = {n: dict(g.node_attributes(n))["label"] for n in g.nodes()}
    return set(labels.items()), {(labels[a], labels[b]) for a, b in g.edges()}


def assert_same(
    monkeypatch: pytest.MonkeyPatch, expect: str = "hit", **kwargs: Any
) -> ResolvedContext:
    before = shim.metrics.snapshot()
    ours = shimmed(**kwargs)
    after = shim.metrics.snapshot()
    assert after.get(expect, 0) == before.get(expect, 0) + 1, after
    theirs = stock(monkeypatch, **kwargs)
    assert answer(ours) == answer(theirs)
    assert ours.status == theirs.status
    if ours.status == ResolverStatus.solved:
        assert graph_sets(ours) == graph_sets(theirs)
    return ours


# ---------------------------------------------------------------------------
# served by pyrer, identical to rez
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [["bar"], ["bar-1.0"], ["foo"], ["foo-2", "python-2"], ["eph"], ["bar", "~python-2"]],
)
def test_identical_on_filesystem_and_pyrer_paths(
    monkeypatch: pytest.MonkeyPatch, repo: Path, request_: list[str]
) -> None:
    for path in (str(repo), f"pyrer@{repo}"):
        assert_same(monkeypatch, package_requests=request_, package_paths=[path])


def test_rez_solver_test_repository(monkeypatch: pytest.MonkeyPatch, solver_repo: Path) -> None:
    requests = [
        ["python"], ["pyfoo"], ["pyvariants"], ["pysplit"], ["pyodd"], ["bahish"],
        ["pyfoo-3.1", "pybah"], ["test_variant_split_start"], ["test_variant_split_mid1"],
        ["test_variant_split_end"], ["test_weakly_reference_requires"], ["nopy", "~python-2"],
    ]  # fmt: skip
    for request in requests:
        ctx = shimmed(package_requests=request, package_paths=[f"pyrer@{solver_repo}"])
        theirs = stock(
            monkeypatch, package_requests=request, package_paths=[f"pyrer@{solver_repo}"]
        )
        assert answer(ctx) == answer(theirs), request
    snap = shim.metrics.snapshot()
    assert snap.get("hit", 0) + snap.get("miss", 0) == len(requests), snap


def test_scope_order_is_rez_dependency_order(repo: Path, solver_repo: Path) -> None:
    """The final phase order pyrer reports draws the same graph as rez's
    dependency order rebuilt from the resolve (packages and ephemerals)."""
    import copy

    from rez.utils.graph_utils import write_compacted
    from rez.version import Requirement

    from rezplugins.solver_shim.resolve import attempt
    from rezplugins.solver_shim.result import PyrerSolver

    cases = [
        (f"pyrer@{solver_repo}", r)
        for r in (["pyfoo-3.1", "pybah"], ["pyvariants"], ["test_variant_split_mid1"],
                  ["nopy", "~python-2"], ["bahish"], ["test_weakly_reference_requires"])
    ] + [
        (f"pyrer@{repo}", r)
        for r in (["bar"], ["bar", ".eph-1"], [".eph-1+", "foo-1", "python"], ["foo", "~python-3"])
    ]  # fmt: skip
    served = 0
    for path, request in cases:
        resolver = Resolver(
            None, [Requirement(r) for r in request], [path], caching=False
        )
        solver = attempt(resolver)
        if not isinstance(solver, PyrerSolver):
            continue
        served += 1
        assert solver.scope_order, request
        rebuilt = copy.copy(solver)
        rebuilt.scope_order = []
        assert write_compacted(solver.get_graph()) == write_compacted(rebuilt.get_graph()), request
    assert served >= 8


def test_first_path_wins(monkeypatch: pytest.MonkeyPatch, repo: Path, shadow_repo: Path) -> None:
    for paths in ([str(shadow_repo), f"pyrer@{repo}"], [f"pyrer@{repo}", str(shadow_repo)]):
        for request in (["foo"], ["foo-1"], ["bar-1.0"]):
            expect = "miss" if (request == ["bar-1.0"] and "pyrer" not in paths[0]) else "hit"
            assert_same(monkeypatch, expect, package_requests=request, package_paths=paths)


def test_variant_select_mode(monkeypatch: pytest.MonkeyPatch, solver_repo: Path) -> None:
    for mode in ("intersection_priority", "version_priority"):
        config.override("variant_select_mode", mode)
        for request in (["pyvariants"], ["test_variant_split_start"], ["pysplit"]):
            assert_same(
                monkeypatch, package_requests=request, package_paths=[f"pyrer@{solver_repo}"]
            )


def test_implicit_packages(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    config.override("implicit_packages", ["~python-3.9"])
    ctx = assert_same(monkeypatch, package_requests=["foo-2"], package_paths=[f"pyrer@{repo}"])
    assert [str(r) for r in ctx.implicit_packages] == ["~python-3.9"]
    assert ("python", "3.9.0") in {(v.name, str(v.version)) for v in ctx.resolved_packages}


def test_building_adds_build_requires(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    ctx = assert_same(
        monkeypatch, package_requests=["bar-1.1"], package_paths=[f"pyrer@{repo}"], building=True
    )
    assert "cmake" in {v.name for v in ctx.resolved_packages}


def test_resolve_cache_round_trip(repo: Path) -> None:
    """What memcached stores (`_solver_to_dict`) survives pickling and `_set_result`."""
    ctx = shimmed(package_requests=["bar"], package_paths=[f"pyrer@{repo}"])
    resolver = Resolver(ctx, ctx.requested_packages(True), [f"pyrer@{repo}"], caching=False)
    solver = resolver._solve()
    data = pickle.loads(pickle.dumps(Resolver._solver_to_dict(solver)))
    resolver._set_result(data)
    assert resolver.status == ResolverStatus.solved
    assert [v.qualified_name for v in resolver.resolved_packages] == [
        v.qualified_name for v in ctx.resolved_packages
    ]


def test_rxt_round_trip(tmp_path: Path, repo: Path) -> None:
    ctx = shimmed(package_requests=["bar"], package_paths=[f"pyrer@{repo}"])
    ctx.save(str(tmp_path / "a.rxt"))
    loaded = ResolvedContext.load(str(tmp_path / "a.rxt"))
    assert [v.qualified_name for v in loaded.resolved_packages] == [
        v.qualified_name for v in ctx.resolved_packages
    ]
    assert loaded.to_dict()["graph"] == ctx.to_dict()["graph"]


# ---------------------------------------------------------------------------
# rez's own solver where pyrer cannot be faithful
# ---------------------------------------------------------------------------


def test_package_filter_served(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """Glob, regex and range rules, exclusions and inclusions: pyrer applies them."""
    for rules, includes in (
        (["python-3.10+"], []),
        (["glob(*-3.*)"], ["glob(python-3.9*)"]),
        (["regex(foo-2.*)"], []),
        (["glob(*)"], ["range(python-3)", "glob(foo-*)", "glob(bar-*)"]),
    ):
        flt = PackageFilterList()
        for rule in rules:
            flt.add_exclusion(Rule.parse_rule(rule))
        for rule in includes:
            flt.add_inclusion(Rule.parse_rule(rule))
        for request in (["bar"], ["foo"], ["foo", "python-2"]):
            kwargs: dict[str, Any] = dict(
                package_requests=request, package_paths=[f"pyrer@{repo}"], package_filter=flt
            )
            # a resolve pyrer cannot solve is a miss: rez's solver then answers
            try:
                solved = stock(monkeypatch, **kwargs).status == ResolverStatus.solved
            except PackageNotFoundError:
                with pytest.raises(PackageNotFoundError):
                    shimmed(**kwargs)
                continue
            assert_same(monkeypatch, "hit" if solved else "miss", **kwargs)


def test_timestamp_from_old_release_metadata(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A package.py without `timestamp` beside pre-2.0 release metadata: rez
    takes the release time from `.metadata/release_time.txt` (or
    release.yaml), so `--time` sees it; pyrer leaves such a file to rez's
    loader and sees the same."""
    root = write_repo(
        tmp_path / "old-formats",
        {"tool/1.0.0": "requires = []", "tool/2.0.0": "requires = []", "tool/3.0.0": ""},
    )
    for version, released in (("1.0.0", 1000), ("2.0.0", 3000)):
        meta = root / "tool" / version / ".metadata"
        meta.mkdir()
        (meta / "release_time.txt").write_text(f"{released}\n")
    (root / "tool" / "3.0.0" / "release.yaml").write_text("timestamp: 5000\n")
    for when, version in ((2000, "1.0.0"), (4000, "2.0.0"), (6000, "3.0.0")):
        ctx = assert_same(
            monkeypatch, "hit",
            package_requests=["tool"], package_paths=[f"pyrer@{root}"], timestamp=when,
        )  # fmt: skip
        assert [str(v.version) for v in ctx.resolved_packages] == [version]


def test_fallback_package_filter_rule(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    flt = PackageFilterList()
    flt.add_exclusion(Rule.parse_rule("glob(python-3.[1]*)"))  # a character set
    assert_same(
        monkeypatch, "fallback.package_filter_rule",
        package_requests=["bar"], package_paths=[f"pyrer@{repo}"], package_filter=flt,
    )  # fmt: skip


def test_timestamp_served(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """`rez env --time`: the release times come from the memo (static files)."""
    for when, version in ((1500, "1.0.0"), (2500, "2.0.0"), (999, None)):
        kwargs: dict[str, Any] = dict(
            package_requests=["old"], package_paths=[f"pyrer@{repo}"], timestamp=when
        )
        if version is None:  # nothing released yet: rez's error, from rez's solver
            with pytest.raises(PackageNotFoundError):
                shimmed(**kwargs)
            continue
        ctx = assert_same(monkeypatch, "hit", **kwargs)
        assert [str(v.version) for v in ctx.resolved_packages] == [version]


def test_package_orderers_served(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """Orderers change which version and which variant rez tries first: pyrer asks rez's."""
    cases = [
        [VersionSplitPackageOrder(Version("3.0"), packages=["python"])],
        [VersionSplitPackageOrder(Version("3.0"))],
        [SortedOrder(descending=False, packages=["python", "cmake"])],
        [PerFamilyOrder({"python": SortedOrder(descending=False)})],
        [TimestampPackageOrder(1500, packages=["old"])],
    ]
    for orderers in cases:
        for request in (["foo"], ["bar"], ["old"], ["foo", "cmake"]):
            assert_same(
                monkeypatch, "hit",
                package_requests=request, package_paths=[f"pyrer@{repo}"],
                package_orderers=orderers,
            )  # fmt: skip


def test_fallback_package_orderers(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """no_order keeps rez's repository listing order: rez's solver orders."""
    orderers = [NullPackageOrder(packages=["python"])]
    assert_same(
        monkeypatch, "fallback.package_orderers",
        package_requests=["foo"], package_paths=[f"pyrer@{repo}"], package_orderers=orderers,
    )  # fmt: skip


def test_late_bound_requires_served(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """@late requirements are evaluated by rez, in the resolve's context and
    per variant as rez's solver does, and handed to pyrer."""
    for path in (str(repo), f"pyrer@{repo}"):
        for request in (["late"], ["latectx"], ["latectx", "foo"], ["latevar"],
                        ["latevar", "python-3"], ["latevar", "foo-1"]):  # fmt: skip
            kwargs: dict[str, Any] = dict(package_requests=request, package_paths=[path])
            solved = stock(monkeypatch, **kwargs).status == ResolverStatus.solved
            assert_same(monkeypatch, "hit" if solved else "miss", **kwargs)


def test_fallback_limits_and_verbosity(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    path = [f"pyrer@{repo}"]
    assert_same(monkeypatch, "fallback.callback", package_requests=["bar"], package_paths=path,
                max_fails=3)  # fmt: skip
    assert_same(monkeypatch, "fallback.verbosity", package_requests=["bar"], package_paths=path,
                verbosity=1, buf=open(os.devnull, "w"))  # fmt: skip


def test_failed_resolve_shows_rez_message(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    ctx = assert_same(
        monkeypatch, "miss", package_requests=["clash"], package_paths=[f"pyrer@{repo}"]
    )
    assert ctx.status == ResolverStatus.failed
    assert ctx.failure_description
    assert shim.metrics.snapshot()["miss.failed"] == 1


def test_error_raises_rez_error(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    """A requested range with no package: through pyrer@ alone the shim raises
    rez's PackageNotFoundError itself; with a repository read through rez in the
    chain, rez's solver runs and raises it."""
    for paths, counter in (([f"pyrer@{repo}"], "hit.error"), ([str(repo)], "miss.error")):
        before = shim.metrics.snapshot().get(counter, 0)
        with pytest.raises(PackageNotFoundError) as ours:
            shimmed(package_requests=["foo-9"], package_paths=paths)
        assert shim.metrics.snapshot()[counter] == before + 1
        with pytest.raises(PackageNotFoundError) as theirs:
            stock(monkeypatch, package_requests=["foo-9"], package_paths=paths)
        assert str(ours.value) == str(theirs.value)


def test_served_error_is_validated_against_rez(
    monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    monkeypatch.setenv("PYRER_SHIM_VALIDATE", "1")
    before = shim.metrics.snapshot()
    for request in (["foo-9"], ["~bar", "foo-9+<10"], ["bar", "foo>99"]):
        with pytest.raises(PackageNotFoundError):
            shimmed(package_requests=request, package_paths=[f"pyrer@{repo}"])
    after = shim.metrics.snapshot()
    assert after.get("divergences", 0) == before.get("divergences", 0)
    assert after["validated"] == before.get("validated", 0) + 3


def test_switched_off(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    stock(monkeypatch, package_requests=["bar"], package_paths=[f"pyrer@{repo}"])
    assert shim.metrics.snapshot() == {"disabled": 1}


def test_shadow_validation(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, repo: Path
) -> None:
    monkeypatch.setenv("PYRER_SHIM_VALIDATE", "1")
    with caplog.at_level("WARNING", logger="pyrer"):
        for request in (["bar"], ["foo-2", "python-2"], ["eph"]):
            shimmed(package_requests=request, package_paths=[f"pyrer@{repo}"])
    snap = shim.metrics.snapshot()
    assert snap["validated"] == 3 and snap.get("divergences", 0) == 0, snap
    assert not caplog.records


def test_summary_line(repo: Path) -> None:
    shimmed(package_requests=["bar"], package_paths=[f"pyrer@{repo}"])
    assert shim.metrics.summary().startswith("pyrer shim: 1 resolves: 1 hits")


# ---------------------------------------------------------------------------
# a fresh `rez env` process: activation by one rezconfig line
# ---------------------------------------------------------------------------


def run_rez(args: list[str], rezconfig: Path, metrics: Path, **env: str) -> str:
    rez = Path(sys.executable).parent / "rez"
    environ = dict(os.environ, REZ_CONFIG_FILE=str(rezconfig), PYRER_SHIM_METRICS=str(metrics))
    environ.update(env)
    proc = subprocess.run(
        [str(rez), *args], env=environ, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def metrics_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.skipif(shutil.which("bash") is None, reason="rez env needs a shell")
def test_rez_env_process_goes_through_pyrer(tmp_path: Path, repo: Path) -> None:
    rezconfig = tmp_path / "rezconfig.py"
    rezconfig.write_text(
        "import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve\n"
        f"packages_path = [{f'pyrer@{repo}'!r}]\n"
    )
    metrics = tmp_path / "metrics.jsonl"
    run_rez(["env", "bar", "--", "true"], rezconfig, metrics)
    run_rez(["env", "bar", "-o", str(tmp_path / "ours.rxt")], rezconfig, metrics)
    run_rez(["env", "bar", "-o", str(tmp_path / "stock.rxt")], rezconfig, metrics, PYRER_SHIM="0")
    runs = metrics_of(metrics)
    assert [r["counters"] for r in runs] == [
        {"pyrer_solves": 1, "hit": 1},
        {"pyrer_solves": 1, "hit": 1},
        {"disabled": 1},
    ]
    ours, theirs = (json.loads((tmp_path / f).read_text()) for f in ("ours.rxt", "stock.rxt"))
    assert {k: v for k, v in ours.items() if k not in VOLATILE} == {
        k: v for k, v in theirs.items() if k not in VOLATILE
    }
    # rez-context prints the same thing for both files (but the creation time)
    out = [
        [
            line
            for line in run_rez(["context", str(tmp_path / f)], rezconfig, metrics).splitlines()
            if not line.startswith("resolved by ")
        ]
        for f in ("ours.rxt", "stock.rxt")
    ]
    assert out[0] == out[1] and len(out[0]) > 5


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("requires = ['python'\n", "rez_cannot_load"),  # a syntax error
        (None, "layout"),  # a version directory without package.py
    ],
)
def test_fallback_reasons_are_truthful(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, repo: Path, body: str | None, reason: str
) -> None:
    """Each fallback is counted under what caused it, and rez's outcome is served."""
    broken = tmp_path / "broken-repo"
    folder = broken / "odd" / "1.0"
    folder.mkdir(parents=True)
    if body is not None:
        (folder / "package.py").write_text(f"name = 'odd'\nversion = '1.0'\n{body}\n")
    kwargs: dict[str, Any] = {
        "package_requests": ["odd"], "package_paths": [f"pyrer@{broken}", f"pyrer@{repo}"]
    }

    def outcome(make: Any) -> Any:
        try:
            ctx = make(**kwargs)
        except Exception as e:  # rez raises for a file it cannot load
            return type(e).__name__
        return answer(ctx)

    ours = outcome(shimmed)
    assert shim.metrics.snapshot().get(f"fallback.{reason}") == 1, shim.metrics.snapshot()
    assert ours == outcome(lambda **kw: stock(monkeypatch, **kw))
