"""`pyrer.rez_requests`: rez's requirement lists validated without rez's cost.

rez is the oracle: for every value the hook handles, the result must be
what rez's own schema validation (``_validate_key_impl``) gives, object for
object (type, state, string form), or the same error; corpora are rez's
test data, the studio corpus and a sample of rez's benchmark repository,
plus random values.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rez
from hypothesis import given
from hypothesis import strategies as st
from pyrer import rez_requests
from strategies import requirement_texts, valid_requirement_texts

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("requires", "build_requires", "private_build_requires", "variants")


@pytest.fixture(scope="module")
def resource(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A filesystem package resource with the hook (validation needs
    nothing of the resource but its class)."""
    import pyrer.solver_shim  # noqa: F401  (installs the hook)
    from rez.package_repository import package_repository_manager
    from rezplugins.package_repository import filesystem

    assert rez_requests.is_installed(filesystem)
    location = tmp_path_factory.mktemp("repo")
    (location / "foo" / "1.0").mkdir(parents=True)
    (location / "foo" / "1.0" / "package.py").write_text("name = 'foo'\nversion = '1.0'\n")
    repo = package_repository_manager.get_repository(str(location))
    family = repo.get_package_family("foo")
    yield next(iter(repo.iter_packages(family)))


def _schema(key: str) -> Any:
    from rezplugins.package_repository.filesystem import FileSystemPackageResource

    for k, v in FileSystemPackageResource.schema._schema.items():
        if getattr(k, "_schema", k) == key:
            return v
    raise KeyError(key)


def _outcome(validate: Any, key: str, value: Any) -> Any:
    """What a validation gives, as plain data: the requests' full state, or
    the error."""
    try:
        result = validate(key, value, _schema(key))
    except Exception as e:
        return ("error", type(e).__name__, str(e))

    def state(x: Any) -> Any:
        if isinstance(x, list):
            return ("list", type(x).__name__, [state(y) for y in x])
        fields = dict(vars(x))
        fields["_str"] = None  # a cache of str(x), filled on first use
        return (type(x).__name__, str(x), repr(x), sorted(fields.items(), key=lambda kv: kv[0]))

    return state(result) if isinstance(result, list) else ("value", result)


def _same_as_rez(resource: Any, key: str, value: Any) -> None:
    ours = _outcome(resource._validate_key, key, value)
    theirs = _outcome(resource._validate_key_impl, key, value)
    assert ours == theirs, (key, value)


def _definitions() -> Iterator[tuple[Path, dict]]:
    from rez.serialise import FileFormat, load_from_file

    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import unpack

    tests = Path(rez.__file__).parent / "data" / "tests"
    studio = ROOT / "tests" / "data" / "studio_repo"
    bench = sorted(unpack(ROOT / ".demo-data").rglob("package.py"))[::25]
    files = [*sorted(tests.rglob("package.py")), *sorted(tests.rglob("package.yaml")),
             *sorted(studio.rglob("package.py")), *bench]  # fmt: skip
    for path in files:
        fmt = FileFormat.yaml if path.suffix == ".yaml" else FileFormat.py
        try:
            data = load_from_file(str(path), fmt, disable_memcache=True)
        except Exception:
            continue  # rez cannot load it: nothing to validate
        if isinstance(data, dict):
            yield path, data


def test_corpora_validate_as_rez_validates(resource: Any) -> None:
    handled = 0
    for _path, data in _definitions():
        for key in KEYS:
            if key in data:
                _same_as_rez(resource, key, data[key])
                handled += 1
    assert handled >= 300


def test_requests_are_new_objects_every_time(resource: Any) -> None:
    a = resource._validate_key("variants", [["python-3.9", "~maya-2024"]], _schema("variants"))
    b = resource._validate_key("variants", [["python-3.9", "~maya-2024"]], _schema("variants"))
    assert a == b and a[0][0] is not b[0][0]
    str(a[0][0])  # fills a's string cache; b and later requests are untouched
    assert vars(b[0][0])["_str"] is None
    c = resource._validate_key("requires", ["python-3.9"], _schema("requires"))
    assert vars(c[0])["_str"] is None and c[0] == a[0][0]


def test_values_rez_refuses_fail_as_rez_fails(resource: Any) -> None:
    from rez.utils.sourcecode import SourceCode

    for value in (
        ["foo-1", 3], [["foo"], "bar"], ("foo",), "foo", None, [["foo-1..2"]], ["!"],
        [["foo", None]], ["foo-1+<"], [[]], [], SourceCode(source="x = 1"),
    ):  # fmt: skip
        for key in KEYS:
            _same_as_rez(resource, key, value)


@given(
    st.lists(st.one_of(requirement_texts(), valid_requirement_texts()), max_size=4),
    st.sampled_from(KEYS),
)
def test_random_lists_validate_as_rez_validates(resource: Any, texts: list[str], key: str) -> None:
    value: Any = [texts, texts[::-1]] if key == "variants" else texts
    _same_as_rez(resource, key, value)
    _same_as_rez(resource, key, value)  # again, from the parsed-string cache
