"""Property tests for the static package.py parser.

1. Arbitrary text never makes the parser raise, hang or crash.
2. Generated package files built from the tricky parts of Python's literal
   syntax are either declined or parsed exactly as rez loads them.
"""

from __future__ import annotations

from pathlib import Path

import pyrer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyrer.survey import fields, rez_fields

CORPUS = sorted((Path(__file__).parent / "data" / "package_py_corpus").glob("*.py"))
SEEDS = [p.read_bytes().decode("utf-8", "replace") for p in CORPUS]


def assert_agrees_with_rez(tmp_path_factory, source: str, folder: str) -> None:  # type: ignore[no-untyped-def]
    """Writes ``source`` as a package.py; if the parser accepts it, it must
    read exactly what rez's load reads (rez failing counts as a mismatch)."""
    path = tmp_path_factory.mktemp(folder) / "package.py"
    path.write_text(source, encoding="utf-8")
    ours = pyrer.parse_static_packages_py([str(path)])[0]
    if ours is not None:
        assert fields(ours) == rez_fields(str(path)), source

PY_TOKENS = [
    "name",
    "version",
    "requires",
    "variants",
    "=",
    "+=",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\\\n",
    "'",
    '"',
    "'''",
    '"""',
    "r'",
    "b'",
    "f'",
    "u'",
    "\\",
    "\\x4",
    "\\u00e9",
    "\\N{X}",
    "#",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "@early()",
    "def commands():",
    "    ",
    "pass",
    "import os",
    "with scope('config') as c:",
    "c.x",
    "0777",
    "1_0",
    "0x",
    "1e",
    "é",
    "\ufeff",
    "foo-1+<2",
    "~bar",
    "!baz",
    ".eph",
    "True",
    "None",
    "...",
    "if x:",
    "print 'x'",
]


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PY_TOKENS), max_size=60))
    return "".join(parts)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(PY_TOKENS) | st.text(max_size=3))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    return text


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), token_soup(), mutated_seed()))
def test_never_raises(source: str) -> None:
    result = pyrer.parse_static_package_py(source)
    assert result is None or isinstance(result.name, str)


# -- differential: generated literals ---------------------------------------

REQ_NAMES = st.sampled_from(["foo", "bar_2", "a.b", "x", "_p", "9", "é", "a..b", ""])
REQ_RANGES = st.sampled_from(
    [
        "",
        "-1",
        "-1.2.3",
        ">=1",
        "<2",
        "==1.0",
        "-1+<2",
        "-1|2",
        "@3",
        "#4",
        "-1..2",
        "-",
        "+",
        "<<1",
        "-*",
        "-1.",
        "- 1",
        ">1",
        "-1.0+",
        "-a_b.c",
    ]
)
PREFIX = st.sampled_from(["", "", "", "~", "!", "."])


@st.composite
def requirement(draw: st.DrawFn) -> str:
    return draw(PREFIX) + draw(REQ_NAMES) + draw(REQ_RANGES)


def py_literal(draw: st.DrawFn, value: str) -> str:
    """Writes `value` as a Python string literal in one of many forms."""
    form = draw(st.sampled_from(["repr", "dq", "raw", "escaped", "split", "triple", "f", "paren"]))
    if form == "dq" and '"' not in value and "\\" not in value:
        return '"' + value + '"'
    if form == "raw" and "'" not in value and not value.endswith("\\"):
        return "r'" + value + "'"
    if form == "escaped":
        return "'" + "".join(f"\\x{ord(c):02x}" if ord(c) < 256 else c for c in value) + "'"
    if form == "split" and len(value) > 1:
        cut = draw(st.integers(1, len(value) - 1))
        sep = draw(st.sampled_from([" ", "", "\\\n  "]))
        return (
            f"({value[:cut]!r}{sep}{value[cut:]!r})"
            if sep != "\\\n  "
            else (f"{value[:cut]!r} \\\n  {value[cut:]!r}")
        )
    if form == "triple" and "'" not in value and "\\" not in value:
        return "'''" + value + "'''"
    if form == "f" and not any(c in value for c in "{}\\'"):
        return "f'" + value + "'"
    if form == "paren":
        return "(" + repr(value) + ")"
    return repr(value)


@st.composite
def package_source(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("# -*- coding: utf-8 -*-")
    lines.append("name = " + py_literal(draw, draw(st.sampled_from(["foo", "bar", "é", "a b"]))))
    version = draw(st.sampled_from(["1.0", "2", "1.0.0-beta", "", "1..2", "v1_2", " 1"]))
    if draw(st.integers(0, 9)):
        lines.append("version = " + py_literal(draw, version))
    reqs = draw(st.lists(requirement(), max_size=4))
    seq = draw(st.sampled_from(["list", "list", "tuple"]))
    items = [py_literal(draw, r) for r in reqs]
    trailing = "," if draw(st.booleans()) and items else ""
    if seq == "list":
        lines.append("requires = [" + ", ".join(items) + trailing + "]")
    else:
        lines.append("requires = (" + ", ".join(items) + ("," if items else "") + ")")
    if draw(st.booleans()):
        variants = draw(st.lists(st.lists(requirement(), max_size=3), max_size=3))
        lines.append(
            "variants = ["
            + ", ".join("[" + ", ".join(py_literal(draw, r) for r in v) + "]" for v in variants)
            + "]"
        )
    extras = [
        "timestamp = 1600000000",
        "format_version = 2",
        "description = '''x\n y'''",
        "def commands():\n    env.PATH.append('{root}/bin')",
        "with scope('config') as c:\n    c.a = 1",
        "with scope('config') as c:\n    c.a.b = 1",
        "with scope('config') as c:\n    c.a.b.c = [1]\n    c.a = 2",
        "with scope('config') as c:\n    a = {}",
        "with scope('config') as d:\n    d.plugins.x.y = True",
        "with scope('config') as c:\n    c.copy.x = 1",
        "with scope('config') as c:\n    with scope('plugins') as p:\n        p.a.b = 1",
        "requires = ['dup']",
        "import os, sys",
        "import os.path as osp",
        "import json as requires",
        "import studio_site",
        "authors = ['me']",
        "tools = 'x'",
        "x = 1; y = 2",
    ]
    for extra in draw(st.lists(st.sampled_from(extras), max_size=4)):
        lines.insert(draw(st.integers(0, len(lines))), extra)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(lines) + newline


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(package_source())
def test_generated_files_agree_with_rez(tmp_path_factory, source: str) -> None:  # type: ignore[no-untyped-def]
    assert_agrees_with_rez(tmp_path_factory, source, "gen")


@st.composite
def repository_file(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(source, family folder, version folder or None for unversioned): mostly
    files without ``version`` whose name is their folder's."""
    family = draw(st.sampled_from(["foo", "bar"]))
    name = draw(st.sampled_from([family, family, family, "baz", "Foo"]))
    lines = ["name = " + py_literal(draw, name)]
    if draw(st.integers(0, 3)) == 0:
        lines.append("version = " + py_literal(draw, draw(st.sampled_from(["1.0", "3", "2.b"]))))
    reqs = draw(st.lists(requirement(), max_size=4))
    lines.append("requires = [" + ", ".join(py_literal(draw, r) for r in reqs) + "]")
    if draw(st.booleans()):
        variants = draw(st.lists(st.lists(requirement(), max_size=2), max_size=3))
        lines.append("variants = [" + ", ".join(
            "[" + ", ".join(py_literal(draw, r) for r in v) + "]" for v in variants) + "]")
    extras = ["timestamp = 1600000000", "def commands():\n    env.PATH.append('{root}')",
              "with scope('config') as c:\n    c.a = 1", "description = 'x'"]
    for extra in draw(st.lists(st.sampled_from(extras), max_size=2)):
        lines.insert(draw(st.integers(0, len(lines))), extra)
    version = draw(st.sampled_from(["1.0", "2", "1.0.0-beta", "01.2", "v1_2", "1..2", None]))
    return "\n".join(lines) + "\n", family, version


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(repository_file())
def test_generated_files_in_a_repository_agree_with_rez(  # type: ignore[no-untyped-def]
    tmp_path_factory, case: tuple[str, str, str | None]
) -> None:
    """The path-based form, files laid out as rez's filesystem repository
    lists them (version folder None: unversioned): a file without ``version``
    takes it from its directories exactly as rez's repository does."""
    source, family, version = case
    root = tmp_path_factory.mktemp("repo")
    folder = root / family if version is None else root / family / version
    folder.mkdir(parents=True)
    path = folder / "package.py"
    path.write_bytes(source.encode("utf-8"))
    ours = pyrer.parse_static_packages_py([str(path)])[0]
    if ours is not None:
        assert fields(ours) == rez_fields(str(path)), case


STRING_NAMES = {"pkg": '"foo"', "ver": '"1.2"', "n": "3", "flag": "True", "lst": '["x"]'}


@st.composite
def fstring(draw: st.DrawFn, names: list[str]) -> str:
    """An f-string literal: text, doubled braces, and fields over `names`
    (plain, spaced, with a conversion or a format spec, or an expression)."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "field", "field", "brace"]))
        if kind == "text":
            parts.append(draw(st.text(alphabet="ab-._1", max_size=4)))
        elif kind == "brace":
            parts.append(draw(st.sampled_from(["{{", "}}"])))
        else:
            name = draw(st.sampled_from(names))
            tail = draw(st.sampled_from(["", "", " ", "!r", "!s", ":>4", " + 'x'", "."]))
            parts.append("{" + draw(st.sampled_from(["", " "])) + name + tail + "}")
    quote = draw(st.sampled_from(["'", '"']))
    return draw(st.sampled_from(["f", "F", "rf"])) + quote + "".join(parts) + quote


@st.composite
def string_expr(draw: st.DrawFn, depth: int = 0) -> str:
    """A top-level string-building expression as studio files write them
    (and the ways they go wrong): `+`, `%`, `.format`, `str()` over literals
    and names bound above (or not bound at all)."""
    leaf = ["lit", "lit", "name", "fstr"]
    deeper = ["concat", "percent", "format", "str", "method", "join"] if depth < 3 else []
    kind = draw(st.sampled_from(leaf + deeper))
    if kind == "fstr":
        return draw(fstring([*STRING_NAMES, "undefined", "str"]))
    fmt_text = st.text(alphabet="ab-.%s{}01 _", max_size=8)
    if kind == "lit":
        return repr(draw(st.text(alphabet="ab-.1_+<A \n\u00a0\x1c\u00e9", max_size=6)))
    if kind == "method":
        method = draw(st.sampled_from(["strip()", "lower()", "upper()", "replace('a', 'b')",
                                       "lstrip('a')", "rstrip(None)", "strip(' a')",
                                       "split('-')", "title()", "replace('', '-')"]))
        return f"({draw(string_expr(depth + 1))}).{method}"
    if kind == "join":
        items = draw(st.lists(string_expr(depth + 1), max_size=3))
        return f"{draw(string_expr(depth + 1))}.join([{', '.join(items)}])"
    if kind == "name":
        return draw(st.sampled_from([*STRING_NAMES, "undefined", "str"]))
    if kind == "concat":
        return f"{draw(string_expr(depth + 1))} + {draw(string_expr(depth + 1))}"
    if kind == "str":
        return f"str({draw(string_expr(depth + 1))})"
    args = draw(st.lists(string_expr(depth + 1), max_size=3))
    if kind == "percent":
        one = "," if len(args) == 1 else ""
        rhs = args[0] if len(args) == 1 and draw(st.booleans()) else f"({', '.join(args)}{one})"
        return f"({draw(fmt_text)!r} % {rhs})"
    keywords = draw(st.lists(st.sampled_from(["a", "b", "version"]), max_size=2, unique=True))
    call = ", ".join(args + [f"{k}={draw(string_expr(depth + 1))}" for k in keywords])
    return f"{draw(fmt_text)!r}.format({call})"


@settings(
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(string_expr(), min_size=1, max_size=3), st.booleans())
def test_string_building_agrees_with_rez(  # type: ignore[no-untyped-def]
    tmp_path_factory, exprs: list[str], in_version: bool
) -> None:
    """Strings built at top level are either declined or exactly what rez's
    load makes of them (requires and version are compared; the file fails in
    rez wherever Python raises)."""
    lines = [f"{k} = {v}" for k, v in STRING_NAMES.items()]
    lines.append('name = "gen"')
    lines.append(f"version = {exprs[0]}" if in_version else 'version = "1.0"')
    lines.append("requires = [" + ", ".join(exprs) + "]")
    lines.append("description = " + exprs[-1])
    source = "\n".join(lines) + "\n"
    assert_agrees_with_rez(tmp_path_factory, source, "strings")


EARLY_GLOBALS = ["common", "extra", "name", "version", "missing", "building", "testing",
                 "build_variant_index", "build_variant_requires", "x", "reqs", "tools", "os"]
EARLY_LOCALS = ["x", "reqs", "building", "name"]
THIS_ATTRS = ["name", "version", "requires", "common", "tools", "missing", "config", "os"]


@st.composite
def early_expr(draw: st.DrawFn, depth: int = 0) -> str:
    """A value in an ``@early`` body: literals, names (global, local, rez's
    objects, or unbound), ``this.attr``, ``+``, ``str()``, ``a if c else b``."""
    kinds = ["list", "str", "name", "this"] + (["plus", "ternary", "str()"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "list":
        items = draw(st.lists(st.sampled_from(["'a-1'", "'b>=2'", "'~c'", "'d-1.'", "1"]),
                              max_size=2))
        return "[" + ", ".join(items) + "]"
    if kind == "str":
        if draw(st.integers(0, 3)) == 0:
            return draw(fstring(["name", "version", "x", "this.name", "this.version", "missing",
                                 "building", "build_variant_index", "this.tools"]))
        return draw(st.sampled_from(["'py-'", "''", "'3'", "'x'"]))
    if kind == "name":
        return draw(st.sampled_from(EARLY_GLOBALS))
    if kind == "this":
        return "this." + draw(st.sampled_from(THIS_ATTRS))
    if kind == "plus":
        return f"{draw(early_expr(depth + 1))} + {draw(early_expr(depth + 1))}"
    if kind == "str()":
        return f"str({draw(early_expr(depth + 1))})"
    return (f"{draw(early_expr(depth + 1))} if {draw(early_condition(depth + 1))} "
            f"else {draw(early_expr(depth + 1))}")


@st.composite
def early_condition(draw: st.DrawFn, depth: int = 0) -> str:
    cond = draw(early_expr(depth + 1))
    if draw(st.booleans()):
        cond += " " + draw(st.sampled_from(["==", "!="])) + " " + draw(early_expr(depth + 1))
    return "not " + cond if draw(st.booleans()) else cond


@st.composite
def early_block(draw: st.DrawFn, indent: str = "    ", depth: int = 0) -> str:
    lines = []
    if draw(st.integers(0, 4)) == 0:
        lines.append(indent + '"""doc"""')
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["return", "assign", "if", "pass", "inline_if", "return",
                                     "import"]))
        if kind == "import":
            lines.append(indent + draw(st.sampled_from(
                ["import os", "import os.path as x", "import sys, re", "import studio_env"])))
        elif kind == "return":
            lines.append(indent + "return " + draw(early_expr()))
        elif kind == "assign":
            lines.append(f"{indent}{draw(st.sampled_from(EARLY_LOCALS))} = {draw(early_expr())}")
        elif kind == "pass":
            lines.append(indent + "pass")
        elif kind == "inline_if":
            lines.append(f"{indent}if {draw(early_condition())}: return {draw(early_expr())}")
        elif depth < 2:
            lines.append(f"{indent}if {draw(early_condition())}:")
            lines.append(draw(early_block(indent + "    ", depth + 1)))
            if draw(st.booleans()):
                lines.append(f"{indent}elif {draw(early_condition())}:")
                lines.append(draw(early_block(indent + "    ", depth + 1)))
            if draw(st.booleans()):
                lines.append(f"{indent}else:")
                lines.append(draw(early_block(indent + "    ", depth + 1)))
    return "\n".join(lines)


@st.composite
def early_source(draw: st.DrawFn) -> str:
    """A file with ``@early()`` functions for solver and other fields, the
    module's globals bound before and after them."""
    top = [
        "name = 'gen'",
        "version = '1.2'",
        "common = ['python-3']",
        "extra = 'maya'",
        draw(st.sampled_from(["", "building = True", "from rez.utils.lint_helper import building",
                              "import os", "x = 'g'", "reqs = ['r']", "late = globals()['late']"])),
    ]
    for field in draw(st.lists(st.sampled_from(["requires", "variants", "tools", "description",
                                                "version"]), min_size=1, max_size=3)):
        top.insert(draw(st.integers(0, len(top))),
                   f"@early()\ndef {field}():\n" + draw(early_block()))
    if draw(st.integers(0, 5)) == 0:
        top.append("with scope('config') as c:\n    c.a = 1")
    return "\n".join(top) + "\n"


@settings(
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(early_source())
def test_early_functions_agree_with_rez(tmp_path_factory, source: str) -> None:  # type: ignore[no-untyped-def]
    """``@early()`` functions are either declined or give exactly what rez's
    load gives (rez fails wherever the function raises or returns a value the
    schema refuses)."""
    assert_agrees_with_rez(tmp_path_factory, source, "early")


TEST_VALUES = ["'pytest'", "['a', 'b']", "[]", "None", "1", "True", "('a',)", "['a', 1]",
               "['foo-1+']", "['foo-1.']", "'requires'", "'other'", "{}"]


@st.composite
def field_tests_dict(draw: st.DrawFn, depth: int = 0) -> str:
    keys = ["'command'", "'requires'", "'run_on'", "'on_variants'", "'type'", "'value'",
            "'unit'", "''", "'x'"]
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(keys))
        if depth < 2 and draw(st.integers(0, 2)) == 0:
            value = draw(field_tests_dict(depth + 1))
        else:
            value = draw(st.sampled_from(TEST_VALUES))
        entries.append(f"{key}: {value}")
    return "{" + ", ".join(entries) + "}"


@settings(
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(field_tests_dict())
def test_tests_schema_agrees_with_rez(tmp_path_factory, tests: str) -> None:  # type: ignore[no-untyped-def]
    """A ``tests`` dict is accepted only where rez's ``tests_schema`` takes it."""
    source = f"name = 'gen'\nversion = '1'\ntests = {tests}\n"
    assert_agrees_with_rez(tmp_path_factory, source, "tests")


@st.composite
def comprehension(draw: st.DrawFn, depth: int = 0) -> str:
    """A list comprehension as studio files write them, and the ways it goes
    wrong (tuple targets, strings and unknown names as iterables, items and
    conditions Python raises on)."""
    iterables = ["['a-1', 'b']", "pys", "[]", "'ab'", "undefined", "[1, 2]", "[['x']]",
                 "pys + ['c']"]
    if depth < 1:
        iterables.append(draw(comprehension(depth + 1)))
    item = draw(st.sampled_from(["v", "'p-' + v", "f'{v}-1'", "v.strip()", "'%s-1' % v", "pkg",
                                 "[v]", "v + 1", "str(v)", "w"]))
    target = draw(st.sampled_from(["v", "v", "v", "v, w"]))
    conditions = draw(st.lists(st.sampled_from(["if v", "if v != 'b'", "if v == pkg",
                                                "if not v", "if v > 'a'", "if missing"]),
                               max_size=2))
    newline = draw(st.sampled_from([" ", "\n    "]))
    return (f"[{item}{newline}for {target} in {draw(st.sampled_from(iterables))}"
            f"{''.join(newline + c for c in conditions)}]")


@settings(
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(comprehension(), st.booleans())
def test_comprehensions_agree_with_rez(  # type: ignore[no-untyped-def]
    tmp_path_factory, comp: str, in_variants: bool
) -> None:
    """List comprehensions are either declined or evaluated as Python does."""
    lines = ['name = "gen"', 'version = "1.0"', "pkg = 'b'", "pys = ['3.9', 'b']", "v = 'outer'"]
    lines.append(f"variants = [{comp}]" if in_variants else f"requires = {comp}")
    lines.append("after = v")  # the loop variable does not leak
    source = "\n".join(lines) + "\n"
    assert_agrees_with_rez(tmp_path_factory, source, "comp")


@settings(
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated_seed())
def test_mutated_corpus_files_that_compile_agree_with_rez(  # type: ignore[no-untyped-def]
    tmp_path_factory, source: str
) -> None:
    """Corpus files with random edits: an accepted file that Python compiles
    is read exactly as rez reads it. (Function bodies are checked, not
    compiled: a syntax error the light check misses there is the parser's
    known gap, so files Python refuses are not compared.)"""
    ours = pyrer.parse_static_package_py(source)
    if ours is None:
        return
    try:
        compile(source, "package.py", "exec")
    except (SyntaxError, ValueError):
        return
    path = tmp_path_factory.mktemp("mutant") / "package.py"
    path.write_text(source, encoding="utf-8")
    assert fields(ours) == rez_fields(str(path)), source
