"""Whole package definitions served from the memo (`pyrer.rez_definitions`).

rez is the oracle: for every file the memo serves, the data must be exactly
what rez's own loader returns for it (types included), the validated package
must equal rez's, and each package's commands must build the same
environment through rex. Corpora: tests/data/studio_repo (studio-style
definitions written for these tests), rez's own test data
(``rez/data/tests``) and a sample of rez's benchmark repository. A warm
``rez env`` with the shim opens no package definition file (strace).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rez
from hypothesis import given
from hypothesis import strategies as st
from pyrer import definition_codec as codec
from pyrer import rez_definitions

ROOT = Path(__file__).resolve().parent.parent
STUDIO = ROOT / "tests" / "data" / "studio_repo"
REZ_DATA = Path(rez.__file__).parent / "data"
BIN = Path(sys.executable).parent

# -- the encoding ------------------------------------------------------------


def _source(text: str, name: str = "commands", as_function: bool = False) -> Any:
    from rez.utils.sourcecode import SourceCode

    code = SourceCode(source=text, filepath="/r/p/1/package.py", eval_as_function=as_function)
    code.funcname = name
    code.decorators = [{"name": "include", "nargs": ["utils"]}]
    return code


def test_every_loader_type_round_trips_exactly() -> None:
    data = {
        "name": "foo",
        "version": "1.2.3",
        "requires": ["python-3", "~maya-2024"],
        "variants": [["a"], ["b", "c"]],
        "count": 3,
        "big": 10**40,
        "ratio": 0.1,
        "neg_zero": -0.0,
        "flags": (True, False, None),
        "nested": {"a": {"b": [1, (2, 3)]}, 4: "int key", (5, "x"): "tuple key"},
        "text": "Café \u2603 \udcff",  # a lone surrogate (filenames decoded by Python)
        "inf": math.inf,
        "commands": _source("env.PATH.append('{root}/bin')"),
        "empty": [[], {}, ()],
    }
    back = codec.decode(codec.encode(data))
    assert codec.same(back, data)
    assert list(back) == list(data)
    assert type(back["flags"]) is tuple and type(back["nested"][(5, "x")]) is str
    code = back["commands"]
    assert (code.source, code.funcname, code.filepath, code.eval_as_function) == (
        "env.PATH.append('{root}/bin')", "commands", "/r/p/1/package.py", False
    )
    assert code.decorators == [{"name": "include", "nargs": ["utils"]}] and code.func is None
    nan = codec.decode(codec.encode({"x": math.nan}))["x"]
    assert math.isnan(nan)


def test_same_tells_types_apart() -> None:
    assert not codec.same([1], (1,))
    assert not codec.same(1, True) and not codec.same(1, 1.0)
    assert not codec.same({"a": 1, "b": 2}, {"b": 2, "a": 1})  # order is data to rez too
    assert not codec.same(_source("a = 1"), _source("a = 2"))


class _Studio:
    pass


class _Str(str):
    pass


@pytest.mark.parametrize(
    "value",
    [{1, 2}, frozenset(), b"bytes", _Studio(), _Str("x"), OrderedDict(a=1), os, 1j, len],
    ids=lambda v: type(v).__name__,
)
def test_values_it_cannot_hold_exactly_are_refused(value: Any) -> None:
    with pytest.raises(codec.Unencodable):
        codec.encode({"x": [value]})


def test_damaged_payloads_are_refused() -> None:
    good = codec.encode({"name": "foo", "t": (1, 2), "c": _source("pass")})
    bad = [
        good[:-1],
        good[: len(good) // 2],
        b"",
        b"[1,",
        good.replace(b'"t":', b'"q":'),
        json.dumps([codec.CODEC_VERSION + 1, {"d": []}]).encode(),
        json.dumps([codec.CODEC_VERSION, {"d": [[[1], 2]]}]).encode(),  # unhashable key
        json.dumps([codec.CODEC_VERSION, {"x": 1, "y": 2}]).encode(),
        json.dumps({"not": "a list"}).encode(),
    ]
    for payload in bad:
        with pytest.raises(codec.UndecodablePayload):
            codec.decode(payload)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
_keys = st.text(max_size=8) | st.integers() | st.tuples(st.text(max_size=4), st.integers())
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@given(st.dictionaries(st.text(max_size=10), _values, max_size=8))
def test_round_trip_property(data: dict[str, Any]) -> None:
    assert codec.same(codec.decode(codec.encode(data)), data)


# -- served definitions against rez's own load ---------------------------------


@pytest.fixture()
def memo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    memo = tmp_path / "memo"
    monkeypatch.setenv("PYRER_MEMO", "1")
    monkeypatch.setenv("PYRER_MEMO_DIR", str(memo))
    monkeypatch.delenv("PYRER_MEMO_EVALUATED", raising=False)
    yield memo


def _package_files(location: Path) -> list[tuple[str, str, Path]]:
    """(family, version, file) of every versioned package definition."""
    found = []
    for family in sorted(p for p in location.iterdir() if p.is_dir()):
        for version in sorted(p for p in family.iterdir() if p.is_dir()):
            for name in ("package.py", "package.yaml"):
                if (version / name).is_file():
                    found.append((family.name, version.name, version / name))
                    break
    return found


def _rez_load(path: Path) -> Any:
    """rez's own loader, untouched by the hook."""
    from rez.serialise import FileFormat, load_from_file

    fmt = FileFormat.yaml if path.suffix == ".yaml" else FileFormat.py
    return load_from_file(str(path), fmt, disable_memcache=True)


def _through_pyrer(location: Path) -> Any:
    from pyrer.rez_repository import PyrerPackageRepository
    from rez.package_repository import package_repository_manager

    return PyrerPackageRepository(str(location), package_repository_manager.pool)


def _validated(resource: Any) -> Any:
    """rez's validated package data; a package's `config` (a rez `Config`,
    equal only to itself) as what defines it."""
    from rez.config import Config
    from rez.packages import Package

    try:
        data = Package(resource).validated_data()
    except Exception as e:  # rez rejects the package: the same way both times
        return ("rejected", type(e).__name__, str(e))
    if isinstance(data.get("config"), Config):
        config = data["config"]
        data["config"] = (config.filepaths, config.overrides, config.locked)
    return data


@contextlib.contextmanager
def _stock_loads() -> Iterator[None]:
    """rez's filesystem plugin with its own loader and its own validation
    of requirement lists (pyrer's hooks taken out)."""
    from rez.package_repository import package_repository_manager
    from rezplugins.package_repository import filesystem

    hooked = filesystem.load_from_file
    resource = filesystem.FileSystemPackageResource
    validate_key = resource.__dict__.get("_validate_key")
    filesystem.load_from_file = getattr(hooked, "__wrapped__", hooked)
    if validate_key is not None:
        del resource._validate_key
    package_repository_manager.clear_caches()
    try:
        yield
    finally:
        filesystem.load_from_file = hooked
        if validate_key is not None:
            resource._validate_key = validate_key
        package_repository_manager.clear_caches()


def _hooked_load(path: Path) -> Any:
    from rez.serialise import FileFormat
    from rezplugins.package_repository import filesystem

    assert rez_definitions.is_installed()
    fmt = FileFormat.yaml if path.suffix == ".yaml" else FileFormat.py
    return filesystem.load_from_file(str(path), fmt)


def _compare_location(location: Path, files: list[tuple[str, str, Path]]) -> dict[str, int]:
    """Loads every file through ``pyrer@`` twice (remember, then serve) and
    compares with rez's own load; returns tallies."""
    repo = _through_pyrer(location)
    tally = {"served": 0, "rez_fails": 0, "not_remembered": 0}
    loadable = []
    for family, version, path in files:
        try:
            expected = _rez_load(path)
        except Exception:
            tally["rez_fails"] += 1
            continue
        loadable.append((family, version, path, expected))
        _hooked_load(path)  # rez loads it, pyrer remembers it
    repo.memo.flush()
    served = []
    for family, version, path, expected in loadable:
        before = rez_definitions.counters["served"]
        data = _hooked_load(path)
        assert codec.same(data, expected), f"{path}: served data differs from rez's load"
        if rez_definitions.counters["served"] == before:
            tally["not_remembered"] += 1
        else:
            tally["served"] += 1
            served.append((family, version, path))
    # the packages rez builds from them: validated data, served against stock
    ours = {}
    for family, version, path in served:
        ours[path] = _validated(repo.package_resource(family, version))
    with _stock_loads():
        for family, version, path in served:
            theirs = _validated(repo.package_resource(family, version))
            assert codec.same(ours[path], theirs), f"{path}: validated package differs"
    return tally


def test_studio_corpus_is_served_as_rez_loads_it(memo_env: Path, tmp_path: Path) -> None:
    studio = tmp_path / "studio"
    shutil.copytree(STUDIO, studio)
    time.sleep(0.1)  # files written just now are too fresh to remember
    files = _package_files(studio)
    assert len(files) >= 25
    tally = _compare_location(studio, files)
    # every studio file is static: all served, none left to rez
    assert tally == {"served": len(files), "rez_fails": 0, "not_remembered": 0}, tally


def test_rez_test_data_is_served_as_rez_loads_it(memo_env: Path, tmp_path: Path) -> None:
    """Every repository in rez's test data (a folder holding
    ``family/version/package.{py,yaml}``): what runs statically is served,
    and served exactly as rez loads it."""
    tests = REZ_DATA / "tests"
    locations = sorted(
        {p.parent.parent.parent for p in tests.rglob("package.*") if p.suffix in (".py", ".yaml")}
    )
    totals = {"served": 0, "rez_fails": 0, "not_remembered": 0}
    for location in locations:
        if not location.is_relative_to(tests) or location == tests:
            continue
        copy = tmp_path / "data" / str(location.relative_to(tests)).replace(os.sep, "_")
        shutil.copytree(location, copy)
        files = _package_files(copy)
        if not files:
            continue
        time.sleep(0.1)
        for key, n in _compare_location(copy, files).items():
            totals[key] += n
    # the files left to rez are the ones that run code at load time
    assert totals["served"] >= 60 and totals["not_remembered"] <= 12, totals


def test_benchmark_sample_is_served_as_rez_loads_it(memo_env: Path, tmp_path: Path) -> None:
    """Every file of rez's benchmark repository under CI=true (every 40th
    locally)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import unpack

    bench = unpack(ROOT / ".demo-data")
    files = _package_files(bench)[:: 1 if os.environ.get("CI") == "true" else 40]
    tally = _compare_location(bench, files)
    assert tally["served"] == len(files) and tally["not_remembered"] == 0, tally


STUDIO_REQUESTS = [
    ["maya-2024", "studio_maya_tools"],
    ["nuke-15", "studio_nuke_tools"],
    ["houdini-20", "usd"],
    ["studio_pipeline", "python-3.11"],
    ["maya-2023", "mtoa"],
]


def _environ(request: list[str], paths: list[str]) -> dict[str, str]:
    from rez.package_repository import package_repository_manager
    from rez.resolved_context import ResolvedContext

    package_repository_manager.clear_caches()
    ctx = ResolvedContext(request, package_paths=paths)
    assert ctx.success, ctx.failure_description
    return ctx.get_environ()


def test_studio_commands_build_rez_environments(memo_env: Path) -> None:
    """Each package's commands run through rex from served definitions give
    the environment stock rez builds from the files."""
    time.sleep(0.1)
    for request in STUDIO_REQUESTS:
        _environ(request, [f"pyrer@{STUDIO}"])  # remembers
    _through_pyrer(STUDIO).memo.flush()
    for request in STUDIO_REQUESTS:
        before = rez_definitions.counters["served"]
        ours = _environ(request, [f"pyrer@{STUDIO}"])
        assert rez_definitions.counters["served"] > before, "nothing served from the memo"
        theirs = _environ(request, [str(STUDIO)])
        # the paths differ by design; the timestamp is the second each context
        # was made (the two straddled a second boundary once in CI)
        for volatile in ("REZ_USED_PACKAGES_PATH", "REZ_USED_TIMESTAMP"):
            ours.pop(volatile, None)
            theirs.pop(volatile, None)
        assert ours == theirs, request


# -- what is not remembered, and edits ----------------------------------------


def _write(root: Path, family: str, version: str, body: str) -> Path:
    folder = root / family / version
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "package.py"
    path.write_text(textwrap.dedent(body))
    return path


STATIC = """\
    name = "tool"
    version = "1.0"
    requires = ["base"]
    def commands():
        env.PATH.append("{root}/bin")
        env.TOOL_MODE = "%s"
"""

DYNAMIC = """\
    import os
    name = "tool"
    version = "1.0"
    @early()
    def description():
        return os.environ.get("TOOL_DESC", "none")
"""


def _load_twice(location: Path, family: str, version: str) -> tuple[Any, int]:
    """Data of the second load of the package, and how many loads were served."""
    from rez.package_repository import package_repository_manager

    repo = _through_pyrer(location)
    before = rez_definitions.counters["served"]
    for _ in range(2):
        package_repository_manager.clear_caches()
        data = repo.package_resource(family, version)._load()
        if repo.memo is not None:  # None in a forked child
            repo.memo.flush()
    return data, rez_definitions.counters["served"] - before


def test_edits_are_seen_at_once(memo_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    path = _write(root, "tool", "1.0", STATIC % "first")
    time.sleep(0.1)
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 1 and "first" in data["commands"].source
    path.write_text(textwrap.dedent(STATIC % "second"))  # same size: only the stamp tells
    data, _ = _load_twice(root, "tool", "1.0")  # (too fresh to be remembered yet)
    assert "second" in data["commands"].source
    time.sleep(0.1)
    data, served = _load_twice(root, "tool", "1.0")
    assert served >= 1 and "second" in data["commands"].source


def test_evaluated_files_follow_the_environment_unless_opted_in(
    memo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _write(root, "tool", "1.0", DYNAMIC)
    time.sleep(0.1)
    monkeypatch.setenv("TOOL_DESC", "one")
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 0 and data["description"] == "one"
    monkeypatch.setenv("TOOL_DESC", "two")
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 0 and data["description"] == "two"  # as stock rez: evaluated each time
    monkeypatch.setenv("PYRER_MEMO_EVALUATED", "1")  # the studio opts in (as memcached would)
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 1 and data["description"] == "two"


def test_static_early_functions_are_served_except_while_a_build_sets_objects(
    memo_env: Path, tmp_path: Path
) -> None:
    """A static ``@early`` body runs statically and is remembered, as rez
    runs it outside a build; while a build re-evaluates its package
    (``set_objects``), loads go to rez, which gives ``building`` its value."""
    from rez.serialise import set_objects

    root = tmp_path / "repo"
    _write(root, "tool", "1.0", """\
        name = "tool"
        version = "1.0"
        @early()
        def description():
            return "build" if building else "run"
        """)
    time.sleep(0.1)
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 1 and data["description"] == "run"
    with set_objects({"building": True}):
        data, served = _load_twice(root, "tool", "1.0")
    assert served == 0 and data["description"] == "build"


def test_unencodable_definitions_are_loaded_by_rez(memo_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, "tool", "1.0", 'name = "tool"\nversion = "1.0"\nstuff = {1, 2}\n')
    time.sleep(0.1)
    data, served = _load_twice(root, "tool", "1.0")
    assert served == 0 and data["stuff"] == {1, 2}


def test_forked_child_loads_from_disk(memo_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, "tool", "1.0", STATIC % "x")
    time.sleep(0.1)
    _, served = _load_twice(root, "tool", "1.0")
    assert served == 1
    pid = os.fork()
    if pid == 0:  # the child must not touch the parent's LMDB handle
        try:
            _, served = _load_twice(root, "tool", "1.0")
            os._exit(0 if served == 0 else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


# -- a warm rez env reads no package definition file ----------------------------


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True)
    return probe.returncode == 0


def _definition_opens(cmd: list[str], env: dict[str, str], log: Path) -> int:
    proc = subprocess.run(
        ["strace", "-f", "-e", "trace=open,openat", "-o", str(log), *cmd],
        env=env, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return sum(
        1 for line in log.read_text().splitlines()
        if ("package.py" in line or "package.yaml" in line) and "ENOENT" not in line
    )


@pytest.mark.skipif(not _strace_works(), reason="strace is not usable here")
def test_warm_rez_env_opens_no_definition_file(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import unpack

    bench = unpack(ROOT / ".demo-data").resolve()
    requests = json.loads((REZ_DATA / "benchmarking" / "requests.json").read_text())
    config = tmp_path / "rezconfig.py"
    config.write_text(f"import pyrer.solver_shim\npackages_path = [{f'pyrer@{bench}'!r}]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    env.update(REZ_CONFIG_FILE=str(config), PYRER_MEMO_DIR=str(tmp_path / "memo"))
    rez_env = [str(BIN / "rez"), "env"]
    for i in (0, 74, 172):
        request = requests[i]
        rxt = tmp_path / f"{i}.rxt"
        cold = _definition_opens([*rez_env, *request, "--", "true"], env, tmp_path / "cold.txt")
        assert cold > 0  # the first load reads the files (and remembers them)
        subprocess.run([*rez_env, *request, "--output", str(rxt)], env=env, check=True,
                       capture_output=True)
        warm = _definition_opens([*rez_env, *request, "--", "true"], env, tmp_path / "warm.txt")
        saved = _definition_opens([*rez_env, "--input", str(rxt), "--", "true"], env,
                                  tmp_path / "input.txt")
        assert (warm, saved) == (0, 0), f"request {i}: {warm} / {saved} opens"


# -- rez's own commands over served definitions ---------------------------------


def _rez(args: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run([str(BIN / "rez"), *args], env=env, cwd=cwd, capture_output=True,
                          text=True)
    assert proc.returncode == 0, f"rez {' '.join(args)}: {proc.stderr[-2000:]}"
    return proc.stdout


@pytest.fixture()
def studio_configs(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Stock rez and rez + pyrer (shim, pyrer@ path, warm memo) over a copy of
    the studio corpus; builds install into a local repository of each."""
    studio = tmp_path / "studio"
    shutil.copytree(STUDIO, studio)
    time.sleep(0.1)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    # rez prints some attributes in set order: the same hash seed for both
    base["PYTHONHASHSEED"] = "0"
    envs = {}
    for name, path, shim in (("stock", str(studio), ""), ("pyrer", f"pyrer@{studio}", "1")):
        local = tmp_path / f"local-{name}"
        local.mkdir()
        config = tmp_path / f"{name}.py"
        config.write_text(
            ("import pyrer.solver_shim\n" if shim else "")
            + f"packages_path = [{str(local)!r}, {path!r}]\n"
            + f"local_packages_path = {str(local)!r}\n"
        )
        envs[name] = dict(base, REZ_CONFIG_FILE=str(config),
                          PYRER_MEMO_DIR=str(tmp_path / "memo"))
    for request in STUDIO_REQUESTS:  # warm the memo: solver fields and definitions
        _rez(["env", *request, "--", "true"], envs["pyrer"])
    return envs


def test_rez_view_search_and_context_behave_as_stock(
    studio_configs: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    for args in (["view", "maya-2024.2"], ["view", "studio_pipeline"], ["view", "-a", "mtoa"],
                 ["search", "studio*"], ["search", "--type", "package", "-f",
                                        "{qualified_name} {description} {tools}", "maya*"]):
        assert _rez(args, studio_configs["pyrer"]) == _rez(args, studio_configs["stock"]), args
    rxt = tmp_path / "ctx.rxt"
    _rez(["env", "maya-2024", "studio_maya_tools", "--output", str(rxt)], studio_configs["pyrer"])
    for args in (["context", str(rxt)], ["context", "--tools", str(rxt)],
                 ["context", "--show-uris", str(rxt)], ["context", "--print-graph", str(rxt)],
                 ["context", "--interpret", "--format", "dict", str(rxt)]):
        assert _rez(args, studio_configs["pyrer"]) == _rez(args, studio_configs["stock"]), args


DEV_PACKAGE = """\
name = "shot_tool"
version = "0.3.0"
requires = ["python-3.11", "studio_pipeline"]
build_requires = ["cmake"]
private_build_requires = ["pytest"]
build_command = False
tools = ["shot_tool"]

def commands():
    env.PATH.append("{root}/bin")
"""


def test_rez_build_resolves_build_requires_as_stock(
    studio_configs: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    installed = {}
    for name in ("stock", "pyrer"):
        src = tmp_path / f"src-{name}"
        src.mkdir()
        (src / "package.py").write_text(DEV_PACKAGE)
        _rez(["build", "--install"], studio_configs[name], cwd=src)
        build_ctx = subprocess.run(
            [str(BIN / "rez"), "context", "--format", "dict", "--interpret",
             str(src / "build" / "build.rxt")],
            env=studio_configs[name], capture_output=True, text=True,
        )
        local = Path(studio_configs[name]["REZ_CONFIG_FILE"]).parent / f"local-{name}"
        payload = (local / "shot_tool" / "0.3.0" / "package.py").read_text()
        payload = re.sub(r"timestamp = \d+", "timestamp = T", payload)  # the install time
        installed[name] = (build_ctx.returncode, _resolved_names(src / "build" / "build.rxt"),
                           payload.replace(str(local), "LOCAL"))
    assert installed["pyrer"] == installed["stock"]
    if _strace_works():  # the build's resolve read the repository's definitions from the memo
        log = tmp_path / "build-strace.txt"
        subprocess.run(
            ["strace", "-f", "-e", "trace=open,openat", "-o", str(log), str(BIN / "rez"),
             "build"], env=studio_configs["pyrer"], cwd=tmp_path / "src-pyrer",
            capture_output=True, check=True,
        )
        studio = str(tmp_path / "studio")
        opened = [line for line in log.read_text().splitlines()
                  if studio in line and "package.py" in line and "ENOENT" not in line]
        assert not opened, opened[:3]


def _resolved_names(rxt: Path) -> list[str]:
    data = json.loads(rxt.read_text())
    return sorted(
        f"{v['variables']['name']}-{v['variables']['version']}" for v in data["resolved_packages"]
    )


def test_pyrer_index_fills_definitions(tmp_path: Path) -> None:
    """``pyrer-index --definitions``: the very first rez env after indexing
    opens no package definition file, and --verify checks each definition
    against rez's own load."""
    studio = tmp_path / "studio"
    shutil.copytree(STUDIO, studio)
    time.sleep(0.1)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    env = dict(base, PYRER_MEMO_DIR=str(tmp_path / "memo"))
    index = subprocess.run([str(BIN / "pyrer-index"), "-q", "--definitions", "--verify",
                            str(studio)], env=env, capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    files = len(_package_files(studio))

    def tally(out: str) -> tuple[int, int, int]:
        found = re.search(r"whole definitions: +(\d+) remembered, (\d+) unchanged, (\d+) not",
                          out)
        assert found, out
        return int(found[1]), int(found[2]), int(found[3])

    remembered, unchanged, left = tally(index.stdout)
    assert (remembered + unchanged, left) == (files, 0), index.stdout
    again = subprocess.run([str(BIN / "pyrer-index"), "-q", "--definitions", str(studio)],
                           env=env, capture_output=True, text=True)
    assert tally(again.stdout) == (0, files, 0), again.stdout
    if not _strace_works():
        return
    config = tmp_path / "rezconfig.py"
    config.write_text(f"import pyrer.solver_shim\npackages_path = [{f'pyrer@{studio}'!r}]\n")
    env["REZ_CONFIG_FILE"] = str(config)
    for request in STUDIO_REQUESTS:
        opens = _definition_opens([str(BIN / "rez"), "env", *request, "--", "true"], env,
                                  tmp_path / "strace.txt")
        assert opens == 0, (request, opens)
