"""Hypothesis strategies for rez version, range and requirement strings.

Two families:

* "text" strategies (``version_texts``, ``range_texts``, ``requirement_texts``)
  aim at the parsers: they mix well-formed pieces with the grammar's corner
  cases (odd separators, empty versions, doubled operators, trailing newlines)
  and plain junk, so that roughly half of what they produce is rejected.
* "valid" strategies (``valid_range_texts``, ``valid_requirement_texts``) aim
  at the algebra: versions come from a small pool so that ranges overlap,
  touch and coincide often, and the same version is spelled with different
  separators (``1.0`` and ``1-0``), which decides which of two equal bounds
  rez keeps. Validity is decided by rez itself, never by hand.

Lone surrogates are left out on purpose (the native module takes UTF-8
strings); tests/test_bad_input.py covers them.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st
from rez.version import Version as RezVersion
from rez.version import VersionError as RezVersionError
from rez.version import VersionRange as RezVersionRange

# --- tokens and versions -----------------------------------------------------

# Tokens whose mutual order exercises every rule of rez's token comparison:
# alpha before numeric, padding ("01" < "1"), "_" between upper and lower case,
# mixed runs ("a1" / "1a"), numbers beyond 64 bits.
TOKEN_POOL = [
    "0",
    "00",
    "1",
    "01",
    "001",
    "2",
    "9",
    "10",
    "18446744073709551616",
    "99999999999999999999999999",
    "a",
    "b",
    "A",
    "Z",
    "_",
    "__",
    "a1",
    "a01",
    "1a",
    "1_",
    "1__",
    "_1",
    "a_",
    "rc2",
    "rc02",
    "alpha3",
    "beta",
    "0a0",
]

tokens = st.one_of(
    st.sampled_from(TOKEN_POOL),
    # numbers: leading zeros, big values (kept well under Python's 4300-digit
    # int() limit, beyond which rez itself raises a plain ValueError)
    st.text(alphabet="0123456789", min_size=1, max_size=40),
    st.text(alphabet="0129abzAZ_", min_size=1, max_size=6),
)

# Characters that are not token characters: rez's Version accepts any single
# one of them as a separator.
ODD_SEPARATORS = [
    "+",
    " ",
    "\t",
    "\n",
    "\x00",
    "|",
    ",",
    "<",
    ">",
    "=",
    "~",
    "!",
    "@",
    "#",
    "/",
    "é",
    "\u00a0",
    "\u2028",
    "日",
    "\U0001f600",
]

non_token_chars = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
)

separators = st.one_of(
    st.sampled_from([".", "-"]),
    st.sampled_from([".", "-"]),
    st.sampled_from(ODD_SEPARATORS),
    non_token_chars,
    # malformed: no separator, or two characters
    st.sampled_from(["", "..", "--", ".-", "+.", "  "]),
)


@st.composite
def version_texts(draw) -> str:
    """Version strings for the parser: mostly well-formed, often not."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.text(max_size=12))
    if kind == 1:
        return ""
    toks = draw(st.lists(tokens, min_size=1, max_size=6))
    parts = []
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(separators))  # leading separator
    for i, tok in enumerate(toks):
        if i:
            parts.append(draw(separators))
        parts.append(tok)
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(separators))  # trailing separator
    return "".join(parts)


# A small pool, so that versions are often equal, prefixes of one another, or
# next to each other; '.' and '-' are interchangeable spellings of one version.
# All versions of one to three tokens are listed up front: drawing one is then
# a single choice, which keeps generation cheap at 5,000 examples a property.
ALGEBRA_TOKENS = ["0", "1", "2", "3", "01", "10", "a", "_", "1_"]


def _spellings(n: int) -> list[str]:
    if n == 1:
        return list(ALGEBRA_TOKENS)
    return [v + sep + t for v in _spellings(n - 1) for sep in ".-" for t in ALGEBRA_TOKENS]


_ALGEBRA_VERSIONS_BY_LENGTH = [st.sampled_from(_spellings(n)) for n in (1, 2, 3)]


def algebra_versions(allow_empty: bool = False) -> st.SearchStrategy[str]:
    """Versions (dot/dash separated) drawn from a small token pool."""
    if allow_empty:
        return st.one_of(st.just(""), *_ALGEBRA_VERSIONS_BY_LENGTH)
    return st.one_of(*_ALGEBRA_VERSIONS_BY_LENGTH)


# --- ranges --------------------------------------------------------------------

# One template per alternative of rez's range grammar (and the spellings each
# accepts); {a} and {b} are versions, possibly empty.
PART_TEMPLATES = [
    "{a}",
    "{a}+",
    ">={a}",
    ">{a}",
    "<{a}",
    "<={a}",
    "=={a}",
    "{a}..{b}",
    "{a}+<{b}",
    "{a}<{b}",
    "{a}+<={b}",
    "{a}<={b}",
    "{a},<{b}",
    "{a}+,<{b}",
    "{a},<={b}",
    ">{a}<{b}",
    ">{a}<={b}",
    ">={a}<{b}",
    ">={a},<{b}",
    ">{a},<={b}",
    "<={b},>{a}",
    "<{b},>={a}",
    "<{b},>{a}",
    "<={b},>={a}",
    "{b},>{a}",
    "{b},>={a}",
    "{b}+,>{a}",
    "{b},<{a}",
    "<{b}<{a}",
    "+<{b}",
    "+>{a}",
    "<{b}>{a}",
    "..{b}",
    "{a}..",
]

# Parts that are all operator, and broken spellings.
SPECIAL_PARTS = [
    "",
    "+",
    "==",
    "..",
    ">",
    ">=",
    "<=",
    "<",
    "=",
    "<>",
    "><",
    ">=<",
    "+<",
    "<=>",
    "...",
    ",",
    "\n",
    "+\n",
    "==\n",
]

RANGE_FRAGMENTS = ["<", "<=", ">", ">=", "==", "=", "+", ",", "..", ".", "-", "|", "\n", " "]

SOUP = "<soup>"

# What one part of a range is made from: a template (most of the time), an
# operator-only part, or a soup of operators and versions. One draw.
_PART_CHOICES = st.sampled_from(
    PART_TEMPLATES * 2
    + [t + "\n" for t in ("{a}", "{a}+<{b}", "<={b},>{a}", "=={a}")]
    + SPECIAL_PARTS
    + [SOUP] * 6
)

_VERSIONS = algebra_versions()
_VERSIONS_OR_EMPTY = algebra_versions(allow_empty=True)
_SOUP = st.lists(st.one_of(st.sampled_from(RANGE_FRAGMENTS), _VERSIONS), max_size=5)


@functools.lru_cache(maxsize=100_000)
def _rez_less(a: str, b: str) -> bool:
    try:
        return RezVersion(a) < RezVersion(b)
    except RezVersionError:
        return False


@st.composite
def range_parts(draw, versions: st.SearchStrategy[str] = _VERSIONS_OR_EMPTY) -> str:
    """One '|'-separated part of a range string."""
    template = draw(_PART_CHOICES)
    if template == SOUP:
        return "".join(draw(_SOUP))
    if "{" not in template:
        return template
    a = draw(versions)
    if "{b}" not in template:
        return template.format(a=a)
    b = draw(versions)
    if draw(st.integers(0, 3)) and _rez_less(b, a):
        # mostly lower <= upper, so that most bounds are possible
        a, b = b, a
    return template.format(a=a, b=b)


# Versions for parser tests: the algebra pool plus the odd ones (odd
# separators and tokens, which the range grammar rejects).
_PARSER_VERSIONS = st.one_of(_VERSIONS_OR_EMPTY, _VERSIONS_OR_EMPTY, version_texts())
_PARSER_PARTS = st.lists(range_parts(_PARSER_VERSIONS), min_size=1, max_size=4)
_RANGE_JUNK = st.one_of(st.text(max_size=12), st.text(alphabet="<>=+,.|-_1a0\n ", max_size=12))


@st.composite
def range_texts(draw) -> str:
    """Range strings for the parser: every syntax, combined with '|', plus junk."""
    if draw(st.integers(0, 4)) == 0:
        return draw(_RANGE_JUNK)
    return "|".join(draw(_PARSER_PARTS))


# Narrow parts only, so that a union of several stays split into several
# bounds (rez switches to binary search from five bounds on).
_NARROW_PARTS = st.sampled_from(["{a}", "=={a}", "{a}", "=={a}", "{a}+<{b}", ">{a}<={b}"])


@st.composite
def many_bounds_range_texts(draw) -> str:
    """Ranges of many disjoint bounds (often five or more)."""
    parts = []
    for _ in range(draw(st.integers(4, 12))):
        template = draw(_NARROW_PARTS)
        a = draw(_ALGEBRA_VERSIONS_BY_LENGTH[1])
        if "{b}" in template:
            # a three-token version, often just above or below a
            b = draw(_ALGEBRA_VERSIONS_BY_LENGTH[2])
            a, b = (b, a) if _rez_less(b, a) else (a, b)
        else:
            b = a
        part = template.format(a=a, b=b)
        if rez_accepts_range(part):
            parts.append(part)
    return "|".join(parts) or draw(_VERSIONS)


@functools.lru_cache(maxsize=100_000)
def rez_accepts_range(s: str) -> bool:
    try:
        RezVersionRange(s)
    except RezVersionError:
        return False
    return True


@st.composite
def valid_range_texts(draw, max_parts: int = 3) -> str:
    """Range strings rez accepts, built from the small version pool: parts rez
    refuses are dropped; nothing left gives the "any" range or a version."""
    parts = draw(st.lists(range_parts(), min_size=1, max_size=max_parts))
    kept = [p for p in parts if p and rez_accepts_range(p)]
    if kept:
        return "|".join(kept)
    return "" if len(parts) == 1 else draw(_VERSIONS)


# --- requirements ----------------------------------------------------------------

NAMES = ["foo", "bar", ".eph", "foo_bar", "", "f.o", "foo bar", "日本"]

_PREFIXES = st.sampled_from(["", "", "", "!", "~", "!!", "~!", "!~"])
_NAMES = st.one_of(st.sampled_from(NAMES), st.text(max_size=5))
_SEPARATORS = st.sampled_from(["-", "-", "-", "@", "#", "", "", "--", "-@"])
_REQ_JUNK = st.one_of(st.text(max_size=12), st.text(alphabet="!~-@#=<>+,.|fo1_\n", max_size=12))


@st.composite
def requirement_texts(draw) -> str:
    """Requirement strings for the parser."""
    if draw(st.integers(0, 4)) == 0:
        return draw(_REQ_JUNK)
    rng = draw(range_texts()) if draw(st.booleans()) else draw(valid_range_texts())
    return draw(_PREFIXES) + draw(_NAMES) + draw(_SEPARATORS) + rng


_VALID_PREFIXES = st.sampled_from(["", "", "!", "~"])


@st.composite
def valid_requirement_texts(draw, names=("foo", "bar", ".eph")) -> str:
    """Requirement strings rez accepts (ranges from ``valid_range_texts``), but
    for the odd weak requirement whose range rez cannot invert."""
    prefix = draw(_VALID_PREFIXES)
    name = draw(st.sampled_from(names))
    rng = draw(valid_range_texts(max_parts=2))
    if rng == "":
        return prefix + name
    # '-', '@', '#', or nothing before a range that starts with an operator
    sep = draw(st.sampled_from(["-", "@", "#", ""]))
    if sep == "" and rng[0] not in "<>=":
        sep = "-"
    return prefix + name + sep + rng
