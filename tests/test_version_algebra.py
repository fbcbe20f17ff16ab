"""Differential tests: pyrer's version algebra against live rez 3.4 ``rez.version``.

Every test feeds the same input to rez and to pyrer and compares what comes
out: acceptance, ``str()``, ordering, set operations, merges. rez is the
oracle; no expected value here is typed by hand. The number of examples per
property comes from the active hypothesis profile (tests/conftest.py): 5,000
in CI.
"""

from __future__ import annotations

from functools import partial

import pyrer
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from rez.version import Requirement as RezRequirement
from rez.version import RequirementList as RezRequirementList
from rez.version import Version as RezVersion
from rez.version import VersionError as RezVersionError
from rez.version import VersionRange as RezVersionRange
from strategies import (
    algebra_versions,
    many_bounds_range_texts,
    range_texts,
    requirement_texts,
    valid_range_texts,
    valid_requirement_texts,
    version_texts,
)

ERROR = "<error>"


def rez_make(cls, s):
    """rez's object, or ERROR when rez refuses the string with a VersionError."""
    try:
        return cls(s)
    except RezVersionError:
        return ERROR


def pyrer_make(cls, s):
    """pyrer's object, or ERROR when pyrer refuses it with a pyrer.VersionError."""
    try:
        return cls(s)
    except pyrer.VersionError as e:
        assert s in str(e), f"error message {str(e)!r} does not name the input {s!r}"
        return ERROR


def both(rez_cls, pyrer_cls, s):
    r, p = rez_make(rez_cls, s), pyrer_make(pyrer_cls, s)
    assert (r is ERROR) == (p is ERROR), (
        f"{s!r}: rez {'refuses' if r is ERROR else 'accepts'} it, "
        f"pyrer {'refuses' if p is ERROR else 'accepts'} it"
    )
    return r, p


def show(x):
    """str() of an object, None kept as None (rez returns None for empty results)."""
    return None if x is None else str(x)


def attempt(fn, error):
    """fn()'s result, or ERROR when it raises ``error``."""
    try:
        return fn()
    except error:
        return ERROR


def text(x, error):
    """What a result looks like: ERROR, None, or its str() (which may raise too)."""
    if x is ERROR or x is None:
        return x
    return attempt(lambda: str(x), error)


def agree(rez_fn, pyrer_fn, context=None):
    """Runs one operation on both sides; both must raise (rez's VersionError,
    pyrer.VersionError) or both give the same str() (or None). Returns both
    results."""
    r = attempt(rez_fn, RezVersionError)
    p = attempt(pyrer_fn, pyrer.VersionError)
    assert text(p, pyrer.VersionError) == text(r, RezVersionError), context
    return r, p


def ranges(s):
    r, p = both(RezVersionRange, pyrer.VersionRange, s)
    assert r is not ERROR, f"strategy produced a range rez refuses: {s!r}"
    return r, p


def requirements(s):
    """Both sides' Requirement, or None when rez refuses the string (possible
    for a weak requirement: inverting its range can fail)."""
    r, p = both(RezRequirement, pyrer.Requirement, s)
    return None if r is ERROR else (r, p)


# --- Version -------------------------------------------------------------------


@given(version_texts())
@example("1.2.3")
@example("1é2 3")
@example("1\x002")
@example("1..2")
@example(".1")
@example("1.")
@example(" ")
@example("1\n")
@example("01.1_.a1b2")
@example("1\U0001f6002")
def test_version_parse(s):
    r, p = both(RezVersion, pyrer.Version, s)
    if r is ERROR:
        return
    assert str(p) == str(r)
    assert len(p) == len(r)
    assert bool(p) == bool(r)
    assert p.tokens == list(r.as_tuple())
    assert str(p.next()) == str(r.next())
    assert (p == pyrer.Version(str(r))) == (r == RezVersion(str(r)))


@given(st.lists(st.one_of(algebra_versions(allow_empty=True), version_texts()), min_size=2))
@example(["1.0", "1-0"])
@example(["01", "1", "001"])
@example(["1_", "1a", "1A", "1", "1.0"])
@example(["", "0", "_", "a", "A"])
@example(["18446744073709551616", "18446744073709551615", "99999999999999999999999"])
def test_version_ordering(texts):
    pairs = [both(RezVersion, pyrer.Version, s) for s in texts]
    pairs = [(r, p) for r, p in pairs if r is not ERROR]
    # next() versions too: "1_"-style tokens, and the infinite version
    # (the next of the empty version)
    pairs += [(r.next(), p.next()) for r, p in pairs[:2]]
    for (r1, p1), (r2, p2) in zip(pairs, pairs[1:] + pairs[:1]):
        assert (p1 < p2) == (r1 < r2), (str(r1), str(r2))
        assert (p1 == p2) == (r1 == r2), (str(r1), str(r2))
        assert (p1 != p2) == (r1 != r2)
        assert (p1 <= p2) == (r1 <= r2)
        assert (p1 > p2) == (r1 > r2)
        assert (p1 >= p2) == (r1 >= r2)
        if p1 == p2:
            assert hash(p1) == hash(p2), (str(p1), str(p2))
    # Python's stable sort does the same comparisons on both sides, so equal
    # versions spelled differently must also come out in the same order.
    by_rez = [str(r) for r in sorted(r for r, _ in pairs)]
    by_pyrer = [str(p) for p in sorted(p for _, p in pairs)]
    assert by_pyrer == by_rez


# Ranges for the algebra: overlapping parts, and many disjoint bounds (rez
# uses binary search from five bounds on).
RANGES = st.one_of(valid_range_texts(), valid_range_texts(), many_bounds_range_texts())

# --- VersionRange ------------------------------------------------------------------


@given(range_texts())
@example("")
@example("1.2")
@example("1.2+")
@example("<2")
@example("<=2")
@example(">1")
@example(">=1")
@example("1+<2")
@example(">=1,<2")
@example("<=4,>2")
@example("==1.2")
@example("1|3")
@example("1..3")
@example("+")
@example("==")
@example("..")
@example(">")
@example("<")
@example("1.2\n")
@example("1.2\n\n")
@example("\n")
@example("|3+<2")
@example("3+<2|")
@example("1.0|1-0")
@example("<>1")
@example("<2>1")
@example("3,>1")
@example("1...2")
def test_range_parse(s):
    r, p = both(RezVersionRange, pyrer.VersionRange, s)
    if r is ERROR:
        return
    assert str(p) == str(r)
    assert p.is_any() == r.is_any()
    assert p.lower_bounded() == r.lower_bounded()
    assert p.upper_bounded() == r.upper_bounded()
    assert p.bounded() == r.bounded()
    assert len(p) == len(r)
    assert str(p.span()) == str(r.span())


@given(RANGES, st.lists(algebra_versions(allow_empty=True), max_size=6))
@example("1|3|5|7|9|11", ["9.1", "10", "11", "0", ""])
@example("==1.0", ["1-0", "1.0.0", "1"])
@example(">", [""])
@example("1.0", ["1.0_", "1.0.0", "1-0-a"])
def test_range_contains_version(s, versions):
    r, p = ranges(s)
    for v in versions:
        rv, pv = RezVersion(v), pyrer.Version(v)
        expected = r.contains_version(rv)
        assert p.contains_version(pv) == expected, (s, v)
        assert (pv in p) == expected
        assert p.contains_version(v) == expected  # pyrer also takes strings


@given(RANGES, RANGES)
@example("1+<3", "2")
@example("1.0+", "1-0+")
@example("1-0+", "1.0+")
@example("<=1.0", "<=1-0")
@example("1.0..2", "1-0+<=2")
@example("1|3", "3.5")
@example("", "1")
@example(">", "==")
@example("<1|1_+", "1")
@example("1", "0|><=2.0|>2.0")  # rez: "Invalid bound" (inverse of touching bounds)
def test_range_binary_operations(s1, s2):
    r1, p1 = ranges(s1)
    r2, p2 = ranges(s2)
    ctx = (s1, s2)
    agree(lambda: r1 & r2, lambda: p1 & p2, ctx)
    agree(lambda: r1.intersection(r2), lambda: p1.intersection(p2), ctx)
    agree(lambda: r1 | r2, lambda: p1 | p2, ctx)
    agree(lambda: r1.union(r2), lambda: p1.union(p2), ctx)
    agree(lambda: r1 - r2, lambda: p1 - p2, ctx)
    assert p1.issuperset(p2) == r1.issuperset(r2), ctx
    assert p1.issubset(p2) == r1.issubset(r2), ctx
    assert (p2 in p1) == (r2 in r1), ctx
    assert p1.intersects(p2) == r1.intersects(r2), ctx
    assert (p1 == p2) == (r1 == r2), ctx
    assert (p1 != p2) == (r1 != r2), ctx
    assert (p1 < p2) == (r1 < r2), ctx
    if p1 == p2:
        assert hash(p1) == hash(p2), ctx


@given(RANGES)
@example("")
@example(">")
@example("==")
@example("<=1|2+")
@example("1|3|5")
@example("0\n|><=2.0\n|>2.0\n")  # rez raises "Invalid bound"; pyrer printed "==|==2.0"
@example("<=2.0|0|>2.0")
def test_range_inverse(s):
    r, p = ranges(s)
    inv_r, inv_p = agree(r.inverse, p.inverse, s)
    agree(lambda: ~r, lambda: ~p, s)
    if inv_r not in (None, ERROR):
        agree(inv_r.inverse, inv_p.inverse, s)


OPERATIONS = ["and", "or", "sub", "invert", "span"]


@given(
    st.lists(RANGES, min_size=1, max_size=3),
    st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=6,
    ),
    st.lists(algebra_versions(allow_empty=True), max_size=3),
)
def test_range_operation_chains(texts, program, versions):
    """Results of operations (unmerged intersections, '>' bounds, ...) fed
    back into further operations stay identical to rez's."""
    pool = [ranges(s) for s in texts]
    ops = {
        "and": lambda a, b: a & b,
        "or": lambda a, b: a | b,
        "sub": lambda a, b: a - b,
        "invert": lambda a, b: ~a,
        "span": lambda a, b: a.span(),
    }
    for op, i, j in program:
        (r1, p1), (r2, p2) = pool[i % len(pool)], pool[j % len(pool)]
        fn = ops[op]
        r, p = agree(partial(fn, r1, r2), partial(fn, p1, p2), (op, str(r1), str(r2)))
        if r is None or r is ERROR:
            continue
        assert p.is_any() == r.is_any()
        assert p.bounded() == r.bounded()
        for rx, px in pool:
            assert p.issuperset(px) == r.issuperset(rx)
            assert px.issuperset(p) == rx.issuperset(r)
            assert p.intersects(px) == r.intersects(rx)
            assert (p == px) == (r == rx)
        for v in versions:
            assert p.contains_version(pyrer.Version(v)) == r.contains_version(RezVersion(v))
        pool.append((r, p))


# --- Requirement -------------------------------------------------------------------


@given(requirement_texts())
@example("foo")
@example("foo-1.0")
@example("foo@1.0")
@example("foo#1.0")
@example("foo<3")
@example("foo==1.0.1")
@example("foo-1+<2|3")
@example("!foo")
@example("!foo-2")
@example("~foo")
@example("~foo-2+")
@example("~foo-")
@example(".eph-1")
@example("")
@example("!")
@example("~")
@example("-1")
@example("foo-3+<2")
@example("foo1.0")
@example("foo--1")
@example("~foo-0|><=2.0|>2.0")  # rez raises: the weak range cannot be inverted
@example("foo,>1.0|0|..1.0")  # prints as "foo,<=1.0|>1.0", which reparses as "foo,"
def test_requirement_parse(s):
    r, p = both(RezRequirement, pyrer.Requirement, s)
    if r is ERROR:
        return
    assert str(p) == str(r)
    assert p.name == r.name
    assert p.conflict == r.conflict
    assert p.weak == r.weak
    assert p.ephemeral == r.name.startswith(".")
    assert show(p.range) == show(r.range)
    # str() does not always round-trip ("foo-0|><=2|>2" prints a range whose
    # reparse merges), in rez as in pyrer
    again_r, again_p = both(RezRequirement, pyrer.Requirement, str(r))
    if again_r is not ERROR:
        assert (p == again_p) == (r == again_r)


@given(valid_requirement_texts(), valid_requirement_texts())
@example("foo-3+", "!foo-5+")
@example("foo-1", "foo-1.5")
@example("!foo-2", "!foo-5")
@example("foo-4", "foo-6")
@example("~foo", "foo-1")
@example("~foo-1", "~foo-1")
@example("~foo-1", "~foo<1|1_+")
@example("~foo-1", "!foo-2")
@example("foo@1.0", "foo-1-0")
@example("foo-1", "!foo-0|><=2.0|>2.0")  # rez raises "Invalid bound"
@example("~foo>2", "~foo<1|1.5..2")  # merges to "<=2|>2": str() raises in rez
def test_requirement_binary_operations(s1, s2):
    pair1, pair2 = requirements(s1), requirements(s2)
    assume(pair1 is not None and pair2 is not None)
    (r1, p1), (r2, p2) = pair1, pair2
    ctx = (s1, s2)
    assert p1.conflicts_with(p2) == r1.conflicts_with(r2), ctx
    merged_r, merged_p = agree(lambda: r1.merged(r2), lambda: p1.merged(p2), ctx)
    if merged_r not in (None, ERROR):
        assert merged_p.name == merged_r.name
        assert merged_p.weak == merged_r.weak
        assert merged_p.conflict == merged_r.conflict
        assert show(merged_p.range) == show(merged_r.range)
        assert (merged_p == p1) == (merged_r == r1)
    assert (p1 == p2) == (r1 == r2), ctx
    assert (p1 != p2) == (r1 != r2), ctx
    if p1 == p2:
        assert hash(p1) == hash(p2), ctx


@given(st.lists(valid_requirement_texts(), max_size=6))
@example(["foo-1+", "bar", "foo<3"])
@example(["foo-1", "foo-2"])
@example(["~foo", "~foo-1", "!foo-3", "foo"])
@example([".eph", "!.eph-1", ".eph-1.5"])
@example(["foo-1", "!foo-0|><=2.0|>2.0"])  # rez raises "Invalid bound"
@example(["~foo>2", "bar", "~foo<1|1.5..2"])  # str() raises in rez
def test_requirement_list(texts):
    pairs = [requirements(s) for s in texts]
    assume(all(pair is not None for pair in pairs))
    r, p = agree(
        lambda: RezRequirementList([r for r, _ in pairs]),
        lambda: pyrer.RequirementList([p for _, p in pairs]),
        texts,
    )
    if r is ERROR:
        return
    agree(lambda: [str(x) for x in r.requirements], lambda: [str(x) for x in p.requirements])
    if r.conflict is None:
        assert p.conflict is None
    else:
        assert p.conflict is not None
        agree(lambda: [str(x) for x in r.conflict], lambda: [str(x) for x in p.conflict])
    assert p.names == r.names
    assert p.conflict_names == r.conflict_names
    # pyrer also takes the strings themselves
    agree(lambda: str(r), lambda: str(pyrer.RequirementList(texts)), texts)


# --- table-driven examples (rez computes the expected values) ---------------------

RANGE_STRINGS = [
    "",
    "3",
    "3+",
    ">=3",
    ">3",
    "<5",
    "<=5",
    "==2",
    "1+<5",
    ">=1<5",
    ">1<5",
    ">1<=5",
    "1+<=5",
    "1..5",
    "<=4,>2",
    "<4,>2",
    "<4,>=2",
    ">=2,<=6",
    "4|6+",
    "3+<6|4+<8",
    ">",
    "==",
    "+",
    "..",
]


@pytest.mark.parametrize("s", RANGE_STRINGS)
def test_documented_range_syntax(s):
    r, p = ranges(s)
    assert str(p) == str(r)


@pytest.mark.parametrize(
    "a, b",
    [
        ("1+<2", "1.5+"),
        ("1", "2"),
        ("2+<4|6+<8", "3+<7"),
        ("1.0+", "1-0+"),
        ("", "1|2"),
        ("<1", ">1"),
        ("==1", "1"),
    ],
)
def test_documented_range_operations(a, b):
    r1, p1 = ranges(a)
    r2, p2 = ranges(b)
    for op in ("__and__", "__or__", "__sub__"):
        assert show(getattr(p1, op)(p2)) == show(getattr(r1, op)(r2)), op
    assert show(~p1) == show(~r1)
    assert p1.issuperset(p2) == r1.issuperset(r2)
    assert p1.intersects(p2) == r1.intersects(r2)


@pytest.mark.parametrize(
    "a, b",
    [
        ("foo-3+", "!foo-5+"),
        ("foo-1", "foo-1.5"),
        ("!foo-2", "!foo-5"),
        ("foo-4", "foo-6"),
        ("~foo-2", "foo-1"),
        ("~foo-2", "foo-2.5"),
        ("foo", "bar"),
    ],
)
def test_documented_requirement_merges(a, b):
    r1, p1 = requirements(a)
    r2, p2 = requirements(b)
    assert show(p1.merged(p2)) == show(r1.merged(r2))
    assert p1.conflicts_with(p2) == r1.conflicts_with(r2)


@pytest.mark.parametrize(
    "a, b",
    [
        ("3", "4"),
        ("01", "1"),
        ("beta", "1"),
        ("alpha3", "alpha4"),
        ("alpha", "alpha3"),
        ("gamma33", "33gamma"),
        ("1.0", "1-0"),
        ("1", "1.0"),
        ("", "0"),
    ],
)
def test_documented_token_order(a, b):
    ra, pa = both(RezVersion, pyrer.Version, a)
    rb, pb = both(RezVersion, pyrer.Version, b)
    assert (pa < pb, pa == pb, pb < pa) == (ra < rb, ra == rb, rb < ra)
