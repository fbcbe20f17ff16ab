"""Long dependency chains (issue 11): the right answer on thousands of links,
and rez's exact answer on chains of a few shapes it can solve quickly.

Beyond ~500 scopes the solver switches to indexed lookups, so the rez
comparisons include chains long enough to cross that line. Timing is left to
scripts/bench_chain.py.
"""

from __future__ import annotations

from typing import Any

import pyrer
import pytest
from pyrer import PackageData as P
from solver_harness import memory_repo_path, pyrer_outcome, run_rez


def chain(shape: str, n: int) -> list[P]:
    """``p0`` .. ``p<n>``, each link requiring the next (see bench_chain.py)."""
    out: list[P] = []
    for i in range(n + 1):
        nxt, last = f"p{i + 1}", i == n
        if shape == "chain":
            out.append(P(f"p{i}", "1", [] if last else [nxt]))
        elif shape == "versions":
            out += [P(f"p{i}", str(v), [] if last else [f"{nxt}-{v}+"]) for v in (1, 2, 3)]
        elif shape == "diamond":
            if last:
                out.append(P(f"p{i}", "1"))
            else:
                out.append(P(f"p{i}", "1", [f"a{i}", f"b{i}"]))
                out += [P(f"a{i}", "1", [nxt]), P(f"b{i}", "1", [nxt])]
        elif shape == "variants":
            variants = None if last else [[nxt, "py-3"], [nxt, "py-2"]]
            out.append(P(f"p{i}", "1", [], variants))
        elif shape == "reversed":
            # deeper links sort first: every link is moved in rez's ordering
            out.append(P(f"z{n - i:05d}", "1", [] if last else [f"z{n - i - 1:05d}"]))
    if shape == "variants":
        out += [P("py", "2"), P("py", "3")]
    return out


def rez_key(request: list[str], packages: list[P]) -> Any:
    data: dict[str, dict[str, dict[str, Any]]] = {}
    for p in packages:
        pkg: dict[str, Any] = {"name": p.name, "version": p.version, "requires": list(p.requires)}
        if p.variants:
            pkg["variants"] = [list(v) for v in p.variants]
        data.setdefault(p.name, {})[p.version] = pkg
    return run_rez(request, [memory_repo_path(data)]).outcome.key()


def test_long_chain_resolves_every_link_in_dependency_order() -> None:
    n = 4000
    packages = chain("chain", n)
    expected = [(f"p{i}", "1", None) for i in range(n, -1, -1)]
    r = pyrer.solve(["p0"], pyrer.Repository(packages))
    assert r.status == "solved", r.failure_description
    assert [tuple(x) for x in r.resolved] == expected
    families = {p.name: [p] for p in packages}
    lazy = pyrer.solve(["p0"], load_family=lambda name, version_range=None: families.get(name))
    assert [tuple(x) for x in lazy.resolved] == expected


def test_long_chain_of_diamonds_resolves_every_family() -> None:
    n = 1500
    r = pyrer.solve(["p0"], pyrer.Repository(chain("diamond", n)))
    assert r.status == "solved", r.failure_description
    pos = {name: k for k, (name, _, _) in enumerate(r.resolved)}
    assert len(pos) == 3 * n + 1
    for i in range(n):
        assert pos[f"p{i + 1}"] < pos[f"a{i}"] < pos[f"p{i}"]
        assert pos[f"p{i + 1}"] < pos[f"b{i}"] < pos[f"p{i}"]


def test_broken_long_chain_names_the_missing_link() -> None:
    packages = [p for p in chain("chain", 2000) if p.name != "p1500"]
    r = pyrer.solve(["p0"], pyrer.Repository(packages))
    assert r.status == "error"
    assert "p1500" in (r.failure_description or "")


@pytest.mark.parametrize(
    ("shape", "n", "request_"),
    [
        ("chain", 600, ["p0"]),
        ("chain", 600, ["p0", "p300"]),
        ("reversed", 550, ["z00550"]),
        ("versions", 60, ["p0"]),
        ("versions", 60, ["p0", "p30-2"]),
        ("diamond", 40, ["p0"]),
        ("variants", 520, ["p0"]),
        ("variants", 60, ["p0", "py-2"]),
        ("chain", 600, ["p0", "!p599"]),
    ],
)
def test_chains_match_rez(shape: str, n: int, request_: list[str]) -> None:
    packages = chain(shape, n)
    ours = pyrer_outcome(pyrer.solve(request_, pyrer.Repository(packages)))
    assert ours.key() == rez_key(request_, packages)
