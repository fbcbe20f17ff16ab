"""Bad input: pyrer refuses it the way rez's API promises, and never crashes.

* An invalid version, range or requirement string raises ``pyrer.VersionError``
  (a ``ValueError``) whose message contains the bad text; rez confirms that
  each string in the tables below is invalid.
* Garbage, huge (1 MB) and non-ASCII strings, NUL bytes, lone surrogates and
  wrong types never raise anything but ``ValueError`` / ``TypeError``: no
  ``pyo3_runtime.PanicException`` (a ``BaseException``), no crash.
"""

from __future__ import annotations

import time

import pyrer
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rez.version import Requirement as RezRequirement
from rez.version import Version as RezVersion
from rez.version import VersionError as RezVersionError
from rez.version import VersionRange as RezVersionRange

INVALID_VERSIONS = ["1..2", ".1", "1.", " ", "..", "é", "1\n", "1+", "-", "1--2", "1. 2", "a b!"]
INVALID_RANGES = [
    "1+<<2",
    "3+<2",
    "<",
    "1...2",
    "1.2.",
    "<2>1",
    "1..",
    "<>1",
    "1 2",
    "!1",
    "1|3+<2",
    "=1",
    "1\n\n",
    "1+<2\n|3+<2",
    "==1+",
    "1é2",
]
INVALID_REQUIREMENTS = [
    "foo-3+<2",
    "foo-1..",
    "foo<<2",
    "foo-...",
    "~foo-<",
    "foo=1",
    "foo-1 2",
    "!foo-1..2..3",
    "foo-1|<",
    "日本-1é2",
]

CLASSES = {
    "version": (RezVersion, pyrer.Version),
    "range": (RezVersionRange, pyrer.VersionRange),
    "requirement": (RezRequirement, pyrer.Requirement),
}


def assert_refused(pyrer_cls, s):
    with pytest.raises(pyrer.VersionError) as info:
        pyrer_cls(s)
    assert isinstance(info.value, ValueError)
    assert s in str(info.value), f"{str(info.value)!r} does not name {s!r}"


@pytest.mark.parametrize(
    "kind, s",
    [("version", s) for s in INVALID_VERSIONS]
    + [("range", s) for s in INVALID_RANGES]
    + [("requirement", s) for s in INVALID_REQUIREMENTS],
)
def test_invalid_strings_raise_version_error_naming_the_text(kind, s):
    rez_cls, pyrer_cls = CLASSES[kind]
    with pytest.raises(RezVersionError):
        rez_cls(s)  # the oracle agrees that the string is invalid
    assert_refused(pyrer_cls, s)


def test_version_error_is_a_value_error():
    assert issubclass(pyrer.VersionError, ValueError)


def test_operations_taking_strings_name_the_bad_text():
    r, req = pyrer.VersionRange("1+"), pyrer.Requirement("foo")
    for call, bad in (
        (r.contains_version, "1..2"),
        (r.__contains__, "1..2"),
        (r.__and__, "3+<2"),
        (r.__or__, "3+<2"),
        (r.__sub__, "3+<2"),
        (r.issuperset, "3+<2"),
        (r.issubset, "3+<2"),
        (r.intersects, "3+<2"),
        (r.intersection, "3+<2"),
        (r.union, "3+<2"),
        (req.merged, "foo-3+<2"),
        (req.conflicts_with, "foo-3+<2"),
        (lambda s: pyrer.RequirementList(["foo", s]), "foo-3+<2"),
    ):
        with pytest.raises(pyrer.VersionError) as info:
            call(bad)
        assert bad in str(info.value)


# --- never a crash ------------------------------------------------------------------


def outcome(fn):
    """None if fn() succeeds, else the ValueError/TypeError subclass it raised;
    any other exception (including pyo3's PanicException, a BaseException)
    fails the test."""
    try:
        fn()
    except (ValueError, TypeError) as e:
        return type(e)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        pytest.fail(f"{fn} raised {type(e).__module__}.{type(e).__name__}: {e}")
    return None


def exercise(s):
    """Every entry point that takes a string, fed ``s``. Returns what each did."""
    rng = pyrer.VersionRange("1+<3|5")
    req = pyrer.Requirement("foo-1+")
    calls = {
        "Version": lambda: str(pyrer.Version(s)),
        "VersionRange": lambda: str(pyrer.VersionRange(s)),
        "Requirement": lambda: str(pyrer.Requirement(s)),
        "RequirementList": lambda: str(pyrer.RequirementList([s])),
        "RequirementList2": lambda: str(pyrer.RequirementList([s, "foo", s])),
        "contains_version": lambda: rng.contains_version(s),
        "in": lambda: s in rng,
        "and": lambda: rng & s,
        "or": lambda: rng | s,
        "sub": lambda: rng - s,
        "issuperset": lambda: rng.issuperset(s),
        "issubset": lambda: rng.issubset(s),
        "intersects": lambda: rng.intersects(s),
        "intersection": lambda: rng.intersection(s),
        "union": lambda: rng.union(s),
        "merged": lambda: str(req.merged(s)),
        "conflicts_with": lambda: req.conflicts_with(s),
        "repr": lambda: (
            repr(pyrer.Version(s)),
            repr(pyrer.VersionRange(s)),
            repr(pyrer.Requirement(s)),
        ),
    }
    return {name: outcome(call) for name, call in calls.items()}


def check_string_input(s):
    results = exercise(s)
    for name, raised in results.items():
        # a str argument is never a type error
        assert raised in (None, pyrer.VersionError), (name, raised)
    # parse errors name the text
    for cls in (pyrer.Version, pyrer.VersionRange, pyrer.Requirement):
        try:
            cls(s)
        except pyrer.VersionError as e:
            assert s in str(e), (cls.__name__, str(e)[:200])


ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)


@given(st.one_of(ANY_TEXT, st.text(alphabet="1.-+<>=|,~!@#_a\x00\n é\ud800", max_size=20)))
@example("")
@example("\x00")
@example("1\x002")
@example("foo\x00-1")
@example("1\ud8002")  # rez accepts a surrogate separator; pyrer refuses it cleanly
@example("\ud800")
@example("\udfff-1")
@example("foo-1\U0010ffff")
@example("\u0660")  # an Arabic-Indic digit: not a token character
@example("１")  # a fullwidth digit: not a token character either
@example("foo-1+<2\n")
def test_garbage_strings_never_crash(s):
    check_string_input(s)


def test_lone_surrogates_raise_version_error_naming_the_text():
    for s in ("1\ud8002", "\udc80", "foo-1\ud800"):
        for cls in (pyrer.Version, pyrer.VersionRange, pyrer.Requirement):
            with pytest.raises(pyrer.VersionError) as info:
                cls(s)
            assert s in str(info.value)
        with pytest.raises(pyrer.VersionError):
            pyrer.VersionRange("1").contains_version(s)
        with pytest.raises(pyrer.VersionError):
            pyrer.RequirementList(["foo", s])


MB = 1 << 20

HUGE = {
    "version with 2**19 tokens": "1." * (MB // 2 - 1) + "1",
    "one huge numeric token": "7" * MB,
    "one huge alpha token": "a" * MB,
    "only separators": "." * MB,
    "only operators": "<" * MB,
    "range with 2**18 parts": "|".join(["1", "3+<4", ">5", "==2"] * (MB // 32)),
    "range over huge versions": "1" * (MB // 2) + "+<" + "2" * (MB // 2),
    "invalid huge range": "1" * (MB // 2) + "+<" + "0" * (MB // 2),
    "huge requirement name": "n" * MB + "-1+",
    "weak requirement with huge range": "~foo-" + "|".join(["1", "3"] * (MB // 4)),
    "non-ASCII": "é" * (MB // 2),
    "NUL bytes": "\x00" * MB,
    "NUL separated version": "1\x00" * (MB // 2) + "1",
}


@pytest.mark.parametrize("name", list(HUGE))
def test_huge_strings(name):
    s = HUGE[name]
    start = time.perf_counter()
    check_string_input(s)
    # linear work: a quadratic parse of 1 MB would take minutes
    assert time.perf_counter() - start < 60


def test_huge_values_compare_by_value():
    big = pyrer.Version("9" * MB)
    bigger = pyrer.Version("1" + "0" * MB)
    padded = pyrer.Version("0" + "9" * MB)
    assert padded < big < bigger
    assert pyrer.VersionRange("1" * 100 + "+").contains_version("2" * 100)


class StrSubclass(str):
    pass


WRONG_TYPES = [
    None,
    0,
    1,
    -1,
    1.5,
    b"1.0",
    bytearray(b"1.0"),
    ["1.0"],
    ("1", "2"),
    {"1": 1},
    object(),
    pyrer.Version("1"),
    pyrer.VersionRange("1"),
    pyrer.Requirement("foo"),
    pyrer.RequirementList(["foo"]),
]


@pytest.mark.parametrize("x", WRONG_TYPES, ids=lambda x: type(x).__name__)
def test_wrong_types_raise_type_or_value_error(x):
    v, rng, req = pyrer.Version("1"), pyrer.VersionRange("1+"), pyrer.Requirement("foo")
    calls = [
        lambda: pyrer.Version(x),
        lambda: pyrer.VersionRange(x),
        lambda: pyrer.Requirement(x),
        lambda: pyrer.RequirementList(x),
        lambda: pyrer.RequirementList([x]),
        lambda: pyrer.RequirementList(["foo", x]),
        lambda: rng.contains_version(x),
        lambda: x in rng,
        lambda: rng & x,
        lambda: rng | x,
        lambda: rng - x,
        lambda: rng.issuperset(x),
        lambda: rng.intersects(x),
        lambda: req.merged(x),
        lambda: req.conflicts_with(x),
        lambda: v < x,
        lambda: v == x,
        lambda: rng == x,
        lambda: req == x,
        lambda: rng < x,
    ]
    for call in calls:
        outcome(call)


def test_wrong_types_are_type_errors():
    for x in (0, 1.5, b"1", object()):
        for cls in (pyrer.Version, pyrer.VersionRange, pyrer.Requirement):
            with pytest.raises(TypeError):
                cls(x)
        with pytest.raises(TypeError):
            pyrer.VersionRange("1").contains_version(x)
        with pytest.raises(TypeError):
            pyrer.RequirementList([x])
    with pytest.raises(TypeError):
        pyrer.Requirement(None)
    with pytest.raises(TypeError):
        pyrer.RequirementList(None)
    # rez's Version(None) is the empty version; pyrer's too
    assert str(pyrer.Version(None)) == str(RezVersion(None)) == ""
    assert (pyrer.Version("1") == 1) is False
    with pytest.raises(TypeError):
        pyrer.Version("1") < 1  # noqa: B015


def test_str_subclasses_are_strings():
    assert str(pyrer.Version(StrSubclass("1.0"))) == "1.0"
    assert str(pyrer.VersionRange(StrSubclass("1+<2"))) == "1+<2"
    assert str(pyrer.Requirement(StrSubclass("foo-1"))) == "foo-1"
    assert pyrer.VersionRange("1").contains_version(StrSubclass("1.5"))
