"""rez's own solver tests (rez/tests/test_solver.py), run against pyrer.

Every request of rez's test suite is solved on rez's solver test repository
(rez/data/tests/solver/packages, copied to a temporary folder) by rez and by
pyrer, in each order of its requirements (rez's tests also solve every
permutation), and in the ``variant_select_mode`` the rez test uses.  rez is the
oracle: the expected answers are not typed here; the status, the resolved
``(name, version, variant_index)`` in order and the ephemerals must be the ones
live rez gives.

On the same repository, `EXTRA_CASES` adds requests that reach no package or
conflict (rez's tests have a single not-found case), and every request is also
compared in the other ``variant_select_mode``.  rez's test_12 with
``error_on_missing_variant_requires=False`` is reported as skipped: pyrer.solve
has no such setting.

`REZ_SOLVER_CASES` lists the requests (inputs only).  Two checks keep it honest:
`test_cases_cover_rez_test_suite` parses rez's test_solver.py and fails if a
request there is missing here (or in another mode), and
`test_harness_reproduces_rez_expectations` runs every request through this
harness's rez runner and checks it gives the answers rez's own tests expect
(so a harness that ran rez wrongly could not pass).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import pytest
import solver_harness as harness
from solver_harness import Outcome

pyrer = pytest.importorskip("pyrer")

# TODO(lead): remove this guard once pyrer.solve lands.
needs_solve = pytest.mark.skipif(
    not hasattr(pyrer, "solve"), reason="pyrer.solve is not built yet (issue #3 harness)"
)

VP = "version_priority"
IP = "intersection_priority"


@dataclass(frozen=True)
class RezCase:
    test: str  # the rez test method it comes from
    request: tuple[str, ...]
    variant_select_mode: str = VP
    error_on_missing_variant_requires: bool = True

    @property
    def id(self) -> str:
        flags = "" if self.error_on_missing_variant_requires else "-no_error_on_missing"
        mode = "" if self.variant_select_mode == VP else "-intersection"
        return f"{self.test}[{' '.join(self.request) or '<empty>'}]{mode}{flags}"


def _cases(test: str, requests: list[list[str]], **kw: Any) -> list[RezCase]:
    return [RezCase(test, tuple(r), **kw) for r in requests]


# The requests of rez 3.4's rez/tests/test_solver.py, method by method.
REZ_SOLVER_CASES: list[RezCase] = [
    *_cases(
        "test_01",
        [
            [],
            ["nada"],
            ["!nada"],
            ["~nada"],
            [".foo-1"],
            ["!.bah"],
            ["!.bah-2.5+"],
            ["python"],
            ["~python-2+"],
            ["~python"],
            ["!python-2.5"],
            ["!python"],
        ],
    ),
    *_cases(
        "test_02",
        [
            ["nada", "~nada"],
            ["nopy"],
            ["python-2.6"],
            ["python-2.6", "!python-2.6.8"],
            ["python-2.6", "python-2.6.5+"],
            ["python", "python-0+<2.6"],
            ["python", "python-0+<2.6.8"],
            ["python", "~python-2.7+"],
            ["!python-2.6+", "python"],
        ],
    ),
    *_cases(
        "test_03",
        [
            ["nada", "!nada"],
            ["python-2.6", "~python-2.7"],
            ["pyfoo", "nada", "!nada"],
            [".foo-1", ".foo-2"],
            [".foo-2.5", "!.foo-2"],
        ],
    ),
    *_cases(
        "test_04",
        [
            ["pybah", "!python"],
            ["pyfoo-3.1", "python-2.7+"],
            ["pyodd<2", "python-2.7"],
            ["nopy", "python-2.5.2"],
        ],
    ),
    *_cases("test_05", [["bahish", "pybah<5"], ["pybah-4", "pyfoo-3.0"]]),
    *_cases(
        "test_06",
        [
            ["nada", "nopy"],
            ["pyfoo"],
            ["pyfoo-3.0"],
            ["pyfoo-3.0", ".eek-4.5"],
            ["pybah"],
            ["nopy", "python"],
            ["pybah", "!python-2.5"],
            ["pybah", "!python-2.5", "python<2.6.8"],
            ["python", "pybah"],
        ],
    ),
    *_cases(
        "test_07",
        [
            ["python", "pyodd"],
            ["pybah", "pyodd"],
            ["pysplit", "python-2.5"],
            ["~python<2.6", "pysplit"],
            ["python", "bahish", "pybah"],
            [".foo-2.5+", ".foo-2"],
        ],
    ),
    *_cases(
        "test_08", [["pymum-1"], ["pydad-1"], ["pyson-1"], ["pymum-3"], ["pydad-3"], ["pymum-2"]]
    ),
    *_cases(
        "test_09_version_priority_mode",
        [["pyvariants", "python"], ["pyvariants", "python", "nada"]],
    ),
    *_cases(
        "test_10_intersection_priority_mode",
        [["pyvariants", "python"], ["pyvariants", "python", "nada"]],
        variant_select_mode=IP,
    ),
    *_cases("test_11_variant_splitting", [["test_variant_split_start"]]),
    *_cases("test_12_missing_variant_requires", [["missing_variant_requires"]]),
    *_cases(
        "test_12_missing_variant_requires",
        [["missing_variant_requires"]],
        error_on_missing_variant_requires=False,
    ),
    *_cases(
        "test_13_resolve_weakly_reference_requires",
        [["test_weakly_reference_requires", "test_variant_split_mid2-2"]],
    ),
    *_cases(
        "test_14_resolve_weakly_reference_variant",
        [["test_weakly_reference_variant-2.0", "test_variant_split_mid2-2", "pyfoo"]],
    ),
]

# Beyond rez's own tests, on the same repository: requests that reach no
# package (rez raises PackageNotFoundError / PackageFamilyNotFoundError: pyrer's
# "error"), or that conflict; the answers again come from live rez.
EXTRA_CASES: list[RezCase] = _cases(
    "extra_not_found_or_conflict",
    [
        ["python-3"],
        ["nonexistent"],
        ["~nonexistent"],
        ["!nonexistent"],
        ["~python-3"],
        ["!python-3"],
        ["python", "python-3"],
        ["pyfoo-4"],
        ["pyfoo", "python-2.7"],
        ["pyodd-1", "python-2.7"],
        ["nada-1"],
        ["nada=="],
        ["python=="],
        [".foo-1", "!.foo"],
        ["~.foo-1", ".foo-2"],
        ["pymum-2", "pydad-2"],
    ],
)

# Every case again in the other variant_select_mode, so that both modes are
# compared on every request (rez is still the oracle).
OTHER_MODE_CASES: list[RezCase] = [
    RezCase(
        c.test + "_other_mode",
        c.request,
        IP if c.variant_select_mode == VP else VP,
        c.error_on_missing_variant_requires,
    )
    for c in REZ_SOLVER_CASES + EXTRA_CASES
    if c.error_on_missing_variant_requires
]


def _permutations(case: RezCase) -> list[RezCase]:
    return [
        RezCase(case.test, perm, case.variant_select_mode, case.error_on_missing_variant_requires)
        for perm in dict.fromkeys(itertools.permutations(case.request))
    ]


ALL_CASES = [p for c in REZ_SOLVER_CASES + EXTRA_CASES + OTHER_MODE_CASES for p in _permutations(c)]
LOADERS = ("list", "load_family")


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repo_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(harness.copy_rez_test_solver_repo(tmp_path_factory.mktemp("rez-solver") / "pkgs"))


@pytest.fixture(scope="module")
def pyrer_packages(repo_path: str) -> list[Any]:
    return harness.load_pyrer_packages(pyrer, [repo_path])


def _rez(case: RezCase, repo_path: str) -> Outcome:
    return harness.run_rez(
        case.request,
        [repo_path],
        variant_select_mode=case.variant_select_mode,
        error_on_missing_variant_requires=case.error_on_missing_variant_requires,
    ).outcome


@pytest.fixture(scope="module")
def rez_answers(repo_path: str) -> dict[str, Outcome]:
    """rez's answer to every case, checked against a second rez run in another
    interpreter (another PYTHONHASHSEED): a disagreement is reported by
    `test_rez_is_deterministic`, not hidden."""
    return {case.id: _rez(case, repo_path) for case in ALL_CASES}


@pytest.fixture(scope="module")
def rez_second_answers(
    repo_path: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    jobs = [
        {
            "id": case.id,
            "paths": [repo_path],
            "request": list(case.request),
            "variant_select_mode": case.variant_select_mode,
            "error_on_missing_variant_requires": case.error_on_missing_variant_requires,
        }
        for case in ALL_CASES
    ]
    worker = harness.RezWorker(jobs, tmp_path_factory.mktemp("rez-worker"))
    try:
        return {case.id: worker.get(case.id) for case in ALL_CASES}
    finally:
        worker.close()


# ---------------------------------------------------------------------------
# pyrer against rez
# ---------------------------------------------------------------------------


def _pyrer(case: RezCase, packages: list[Any], loader: str) -> Outcome:
    if loader == "list":
        return harness.run_pyrer(
            pyrer, case.request, packages, variant_select_mode=case.variant_select_mode
        )
    by_family: dict[str, list[Any]] = {}
    for p in packages:
        by_family.setdefault(p.name, []).append(p)

    def load_family(name: str, version_range: str | None = None) -> list[Any]:
        return list(by_family.get(name, []))

    return harness.run_pyrer(
        pyrer,
        case.request,
        None,
        variant_select_mode=case.variant_select_mode,
        load_family=load_family,
    )


@needs_solve
@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_pyrer_matches_rez(
    case: RezCase, loader: str, pyrer_packages: list[Any], rez_answers: dict[str, Outcome]
) -> None:
    if not case.error_on_missing_variant_requires:
        pytest.skip(
            "pyrer.solve has no error_on_missing_variant_requires setting; rez's default "
            "(True) is compared by the same request without this flag"
        )
    expected = rez_answers[case.id]
    actual = _pyrer(case, pyrer_packages, loader)
    problems = harness.diff_outcomes(expected, actual)
    assert not problems, f"request {list(case.request)} ({case.variant_select_mode}):\n" + (
        "\n".join(problems)
    )


def test_rez_is_deterministic(
    rez_answers: dict[str, Outcome], rez_second_answers: dict[str, Outcome]
) -> None:
    bad = {
        cid: harness.diff_outcomes(rez_answers[cid], rez_second_answers[cid])
        for cid in rez_answers
        if rez_answers[cid].key() != rez_second_answers[cid].key()
    }
    assert not bad, bad


# ---------------------------------------------------------------------------
# keeping the case list honest
# ---------------------------------------------------------------------------

Expectation = Union[list[str], str]  # a resolve ("name-1.0[]" strings), or "fail"/"cycle"/...


@dataclass(frozen=True)
class RezTestCall:
    test: str
    request: tuple[str, ...]
    variant_select_mode: str
    error_on_missing_variant_requires: bool
    expectation: Any  # tuple of strings for a resolve; "fail", "cycle", "not-cycle", "raises"


def _literal(node: ast.AST) -> Any:
    return ast.literal_eval(node)


def _iter_calls(body: list[ast.stmt], in_raises: bool = False) -> Iterator[tuple[ast.Call, bool]]:
    """Calls in source order, with whether they sit in a ``with self.assertRaises``."""
    for stmt in body:
        if isinstance(stmt, ast.With):
            raises = any(
                isinstance(item.context_expr, ast.Call)
                and isinstance(item.context_expr.func, ast.Attribute)
                and item.context_expr.func.attr == "assertRaises"
                for item in stmt.items
            )
            yield from _iter_calls(stmt.body, in_raises or raises)
            continue
        if isinstance(stmt, ast.FunctionDef):
            continue  # a helper such as test_08's _test(); its calls are followed below
        for node in sorted(
            (n for n in ast.walk(stmt) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        ):
            yield node, in_raises


def _call_name(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def parse_rez_solver_tests(source: str) -> list[RezTestCall]:
    """Every solve rez's test_solver.py performs, with what it expects."""
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TestSolver")
    out: list[RezTestCall] = []
    for fn in cls.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name.startswith("test_")):
            continue
        mode, missing_error = VP, True
        helpers = {n.name for n in fn.body if isinstance(n, ast.FunctionDef)}
        for call, in_raises in _iter_calls(fn.body):
            name = _call_name(call)
            if name == "override":
                key, value = _literal(call.args[0]), _literal(call.args[1])
                if key == "variant_select_mode":
                    mode = value
                elif key == "error_on_missing_variant_requires":
                    missing_error = value
                else:
                    raise AssertionError(f"{fn.name}: unknown config override {key!r}")
            elif name == "_solve":
                request = tuple(_literal(call.args[0]))
                exp: Any = "raises" if in_raises else tuple(_literal(call.args[1]))
                out.append(RezTestCall(fn.name, request, mode, missing_error, exp))
            elif name in ("_fail",) or name in helpers:
                request = tuple(_literal(a) for a in call.args)
                # test_08's helper asserts a Cycle; a direct _fail there asserts "not a cycle"
                exp = "cycle" if name in helpers else "fail"
                out.append(RezTestCall(fn.name, request, mode, missing_error, exp))
    return out


def _rez_test_source() -> str:
    path = harness.rez_module_root() / "tests" / "test_solver.py"
    if not path.exists():
        pytest.skip(f"rez's test suite is not installed ({path})")
    return Path(path).read_text()


def test_cases_cover_rez_test_suite() -> None:
    calls = parse_rez_solver_tests(_rez_test_source())
    assert len(calls) >= 60, f"parsed only {len(calls)} solves from rez's test_solver.py"
    ours = {
        (c.request, c.variant_select_mode, c.error_on_missing_variant_requires)
        for c in REZ_SOLVER_CASES
    }
    theirs = {
        (c.request, c.variant_select_mode, c.error_on_missing_variant_requires) for c in calls
    }
    assert theirs - ours == set(), "rez test requests missing from REZ_SOLVER_CASES"
    assert ours - theirs == set(), "REZ_SOLVER_CASES has requests rez's tests do not have"


def _rez_style(outcome: Outcome) -> tuple[str, ...]:
    """rez's test format: ``str(variant)`` for each package, then sorted ephemerals."""
    pkgs = []
    for name, version, index in outcome.resolved:
        stem = f"{name}-{version}" if version else name
        pkgs.append(f"{stem}[{'' if index is None else index}]")
    return tuple(pkgs) + tuple(sorted(outcome.ephemerals))


def test_harness_reproduces_rez_expectations(repo_path: str) -> None:
    """Our rez runner gives exactly what rez's own tests expect, for every request."""
    failures = []
    for call in parse_rez_solver_tests(_rez_test_source()):
        case = RezCase(
            call.test,
            call.request,
            call.variant_select_mode,
            call.error_on_missing_variant_requires,
        )
        for perm in _permutations(case):
            got = _rez(perm, repo_path)
            exp = call.expectation
            if exp == "raises":
                ok = got.status == "error"
            elif exp == "fail":
                ok = got.status == "failed"
            elif exp == "cycle":
                ok = got.status == "failed" and "cycl" in got.description.lower()
            elif perm.request == call.request:
                ok = got.status == "solved" and _rez_style(got) == exp
            else:  # rez's tests only require permutations to solve too
                ok = got.status == "solved"
            if not ok:
                failures.append(f"{perm.id}: expected {exp!r}, harness got {got.short()}")
    assert not failures, "\n".join(failures)
