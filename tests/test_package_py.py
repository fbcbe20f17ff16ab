"""The static package.py parser: API contract and differential against rez.

A bail (None) is always acceptable; a value that differs from rez's own load
of the same file never is.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pyrer
import pytest
import rez
from pyrer.survey import Fields, find_package_files, survey
from pyrer.survey import fields as package_fields

REZ_DATA = Path(rez.__file__).parent / "data"
CORPUS = Path(__file__).parent / "data" / "package_py_corpus"
DYNAMIC_REPO = Path(__file__).parent / "data" / "studio_repo_dynamic"

STATIC = """\
# -*- coding: utf-8 -*-
name = 'foo'
version = '1.2.0'
requires = ['bar>=1', '~baz-2']
variants = [['python-2.7'], ['python-3']]

def commands():
    env.PATH.append('{root}/bin')
"""


def fields(pkg: pyrer.PackageData | None) -> Fields | None:
    return None if pkg is None else package_fields(pkg)


def test_parse_source() -> None:
    pkg = pyrer.parse_static_package_py(STATIC)
    assert pkg is not None
    assert pkg.name == "foo"
    assert pkg.version == "1.2.0"
    assert pkg.requires == ["bar-1+", "~baz-2"]
    assert pkg.variants == [["python-2.7"], ["python-3"]]
    assert fields(pkg) == ("foo", "1.2.0", ["bar-1+", "~baz-2"], [["python-2.7"], ["python-3"]])
    assert pkg == pyrer.parse_static_package_py(STATIC)
    assert "foo" in repr(pkg)


@pytest.mark.parametrize(
    "source",
    [
        STATIC + "import os\n_sep = os.sep\n",
        STATIC + "@early()\ndef tools():\n    import os\n    return [os.sep]\n",
        STATIC + "@late()\ndef tools():\n    return []\n",
        STATIC + "if True:\n    requires = []\n",
        STATIC + "requires += ['x']\n",
        STATIC + "requires = ['a'] + ('b',)\n",
        "name = 'foo'\n",  # no version: rez takes it from the directory
        "def f(:\n",
        "",
        "\0",
    ],
)
def test_dynamic_or_broken_sources_are_none(source: str) -> None:
    assert pyrer.parse_static_package_py(source) is None


def test_never_raises_on_odd_input() -> None:
    for source in [None, 1, b"name = 'a'", "\ud800", "(" * 10_000, "[" * 300 + "]" * 300]:
        assert pyrer.parse_static_package_py(source) is None  # type: ignore[arg-type]


def test_batch_alignment(tmp_path: Path) -> None:
    good = tmp_path / "good" / "package.py"
    good.parent.mkdir()
    good.write_text(STATIC)
    dynamic = tmp_path / "dynamic.py"
    dynamic.write_text(STATIC + "import os\n_sep = os.sep\n")
    latin1 = tmp_path / "latin1.py"
    latin1.write_bytes(b"# coding: latin-1\nname = '\xe9'\nversion = '1'\n")
    not_py = tmp_path / "package.yaml"
    not_py.write_text("name: foo\nversion: 1\n")
    paths = [
        str(good),
        str(tmp_path / "missing.py"),
        dynamic,  # os.PathLike is accepted
        str(latin1),
        str(not_py),
        str(tmp_path),  # a directory
        42,  # not a path: None, not an error
        str(good),
    ]
    result = pyrer.parse_static_packages_py(paths)
    assert len(result) == len(paths)
    assert [r is not None for r in result] == [True, False, False, False, False, False, False, True]
    assert fields(result[0]) == fields(pyrer.parse_static_package_py(STATIC))
    assert pyrer.parse_static_packages_py(iter([str(good)]))[0] is not None
    assert pyrer.parse_static_packages_py([]) == []


def test_batch_rejects_non_iterable() -> None:
    with pytest.raises(TypeError):
        pyrer.parse_static_packages_py(42)  # type: ignore[arg-type]


def assert_agrees_with_rez(paths: list[str]) -> int:
    """Compares every accepted file with rez's load; returns the accept count."""
    s = survey(paths, diff=True)
    assert s.mismatches == [], s.mismatches[:5]
    return s.accepted


def test_corpus_agrees_with_rez() -> None:
    paths = sorted(str(p) for p in CORPUS.glob("*.py"))
    assert len(paths) >= 100
    accepted = assert_agrees_with_rez(paths)
    assert accepted >= 60  # the corpus is mostly edge cases, but not all bails


def test_rez_test_data_agrees_with_rez() -> None:
    paths = find_package_files([str(REZ_DATA / "tests")])
    assert len(paths) >= 50
    accepted = assert_agrees_with_rez(paths)
    assert accepted >= len(paths) // 2


@pytest.fixture(scope="session")
def benchmark_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench")
    with tarfile.open(REZ_DATA / "benchmarking" / "packages.tar.gz") as tar:
        tar.extractall(root)
    return root


def test_benchmark_repository_agrees_with_rez(benchmark_repo: Path) -> None:
    paths = find_package_files([str(benchmark_repo)])
    assert len(paths) == 18226
    accepted = assert_agrees_with_rez(paths)
    assert accepted / len(paths) >= 0.998


def test_survey_cli(benchmark_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pyrer.survey import main

    family = benchmark_repo / "packages" / "cope"
    assert main(["--diff", str(family), str(CORPUS / "from_import.py")]) == 0
    out = capsys.readouterr().out
    assert "accepted:" in out and "import" in out and "mismatches: 0" in out


def test_rayon_pool_size_is_configurable(benchmark_repo: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys, pyrer; ps = sys.argv[1:];"
        "print(sum(p is not None for p in pyrer.parse_static_packages_py(ps)))"
    )
    paths = find_package_files([str(benchmark_repo / "packages" / "cope")])
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", code, *paths], env=env, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == len(paths)


CORPUS_REPO = Path(__file__).parent / "data" / "package_py_corpus_repo"


def test_path_form_takes_missing_versions_from_directories() -> None:
    """The path-based form fills a missing ``version`` from the directories,
    as rez's filesystem repository does; rez (its repository) is the oracle."""
    paths = find_package_files([str(CORPUS_REPO)])
    s = survey(paths, diff=True)
    assert s.mismatches == [], s.mismatches
    parsed = dict(zip(paths, pyrer.parse_static_packages_py(paths)))
    by_name = {os.path.relpath(p, CORPUS_REPO): pkg for p, pkg in parsed.items()}
    assert by_name["lighting_tools/2.4.1/package.py"].version == "2.4.1"
    assert by_name["lighting_tools/2.6.0.beta/package.py"].version == "2.6.0.beta"
    assert by_name["comp_scripts/package.py"].version == ""
    assert by_name["render_farm/3.1/package.py"].version == "3.2"  # the file's own
    # an @early function with a static body runs here too
    assert by_name["usd_utils/0.9.0/package.py"].version == "0.9.0"
    assert by_name["shader_lib/1.0/package.py"] is None
    # the per-file form has no directories to go by
    text = (CORPUS_REPO / "lighting_tools" / "2.4.1" / "package.py").read_text()
    assert pyrer.parse_static_package_py(text) is None
    assert s.accepted == 8, s.dynamic


def test_studio_dynamic_constructs_agree_with_rez() -> None:
    """Studio-style files with ``@early`` functions, ``tests``, loader names
    taken from ``globals()``, scope blocks and folder versions: the static
    ones are read exactly as rez's repository reads them; the ones that depend
    on the platform, the environment or a ``@late`` function are declined,
    and the survey says why."""
    paths = find_package_files([str(DYNAMIC_REPO)])
    s = survey(paths, diff=True)
    assert s.mismatches == [], s.mismatches
    parsed = dict(zip(paths, pyrer.parse_static_packages_py(paths)))
    accepted = {os.path.relpath(p, DYNAMIC_REPO).split(os.sep)[0]
                for p, pkg in parsed.items() if pkg is not None}
    assert accepted == {"asset_browser", "render_submit", "lookdev_kit", "studio_fonts",
                        "shot_tools", "usd_plugins"}
    declined = {os.path.relpath(p, DYNAMIC_REPO).split(os.sep)[0]: reason
                for reason, examples in s.examples.items() for p in examples}
    assert declined == {
        "platform_tools": "top-level control flow",
        "site_config": "unsupported: @early function not static",
        "maya_launcher": "unsupported: @late function",
        "comp_gizmos": "non-literal value",
    }
